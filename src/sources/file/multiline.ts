// Multiline: join continuation lines (those not matching `start`) to the event they belong to.
import type { Pattern } from "../../core/pattern.js";
import type { RawLine } from "./lines.js";

export class Multiline {
  private pending: RawLine[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly start: Pattern,
    /**
     * An event is closed before it would grow past this many bytes (the rest starts a new event: nothing is dropped).
     */
    private readonly maxBytes: number,
  ) {}

  /** Offset of the first line of the event still open, if any. */
  get pendingOffset(): number | undefined {
    return this.pending[0]?.offset;
  }

  /** Feed complete lines; returns the events they close. */
  push(lines: RawLine[]): RawLine[] {
    const done: RawLine[] = [];
    for (const line of lines) {
      const continues = this.pending.length > 0 && !this.start.test(line.text);
      if (!continues || this.pendingBytes + 1 + line.bytes > this.maxBytes) {
        const event = this.flush();
        if (event) done.push(event);
      }
      this.pending.push(line);
      this.pendingBytes += (this.pending.length > 1 ? 1 : 0) + line.bytes;
    }
    return done;
  }

  /** Close the open event (timeout, end of file, file let go). */
  flush(): RawLine | undefined {
    const [first] = this.pending;
    if (!first) return undefined;
    const event: RawLine =
      this.pending.length === 1
        ? first
        : {
            offset: first.offset,
            text: this.pending.map((l) => l.text).join("\n"),
            bytes: this.pendingBytes,
            cut: this.pending.reduce((sum, l) => sum + l.cut, 0),
          };
    this.reset();
    return event;
  }

  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
