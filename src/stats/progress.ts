// A one-line progress bar on stderr for replays on a terminal, redrawn at most ten times a second.
import type { WriteStream } from "node:tty";

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: WriteStream,
    private readonly totalBytes: number | undefined,
  ) {}

  update(bytes: number, lines: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const speed = `${formatCount(lines / seconds)} lines/s`;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 50));
    let text: string;
    if (this.totalBytes && this.totalBytes > 0) {
      const share = Math.min(1, bytes / this.totalBytes);
      const filled = Math.round(share * width);
      const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
      text = `${bar} ${(share * 100).toFixed(0).padStart(3)}% ${formatCount(lines)} lines ${speed}`;
    } else {
      text = `${formatCount(lines)} lines, ${(bytes / 1e6).toFixed(1)} MB ${speed}`;
    }
    this.stream.write(`\r${text}\x1b[K`);
  }

  /** Erase the bar so the summary starts on a clean line. */
  clear(): void {
    this.stream.write("\r\x1b[K");
  }
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
