// Where the stats command's reports and alerts go: JSON lines, plain text, or the redrawn dashboard.
import type { WriteStream } from "node:tty";
import type { LogEvent } from "../core/event.js";
import { DashboardScreen, type DashboardView } from "./dashboard.js";
import type { StatsRunner } from "./job.js";
import { alertJson, formatReportText, reportJson } from "./render.js";
import type { StatsReport } from "./report.js";

export type OutputMode = "json" | "text" | "dashboard";

const RATES_KEPT = 200;

/**
 * Buffers what replays produce and writes it in large pieces (with backpressure: flush() waits for
 * the stream to drain); in live mode a write is scheduled right away so alerts show without delay.
 */
export class StatsOutput {
  private buffer: string[] = [];
  private scheduled = false;
  private readonly screen: DashboardScreen | undefined;
  private readonly rates: number[] = [];
  private readonly alerts: DashboardView["alerts"] = [];
  private latest: StatsReport | undefined;
  private job: StatsRunner | undefined;
  private redraw: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly mode: OutputMode,
    private readonly view: { title: string; threshold?: number; live: boolean },
  ) {
    this.screen = mode === "dashboard" ? new DashboardScreen(stream as WriteStream) : undefined;
  }

  /** The job whose state the dashboard shows; the dashboard then redraws every second. */
  attach(job: StatsRunner): void {
    this.job = job;
    if (this.screen) {
      this.draw();
      this.redraw = setInterval(() => this.draw(), 1000);
    }
  }

  event(event: LogEvent): void {
    if (event.kind === "stats") {
      const report = event.data as unknown as StatsReport;
      this.latest = report;
      this.rates.push(report.rate);
      if (this.rates.length > RATES_KEPT) this.rates.shift();
      if (this.mode === "json") this.write(`${reportJson(report)}\n`);
      else if (this.mode === "text") this.write(formatReportText(report));
    } else {
      this.alerts.push({ message: event.message ?? event.kind, firing: event.kind === "alert" });
      if (this.alerts.length > 20) this.alerts.shift();
      if (this.mode === "json") this.write(`${alertJson(event)}\n`);
      else if (this.mode === "text") this.write(`${event.message ?? event.kind}\n`);
    }
    if (this.screen) this.draw();
  }

  /** Write what is buffered; resolves when the stream can take more. */
  async flush(): Promise<void> {
    this.scheduled = false;
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("");
    this.buffer = [];
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  close(): void {
    if (this.redraw) clearInterval(this.redraw);
    this.screen?.close();
  }

  private write(text: string): void {
    this.buffer.push(text);
    if (this.view.live && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  private draw(): void {
    if (!this.screen || !this.job) return;
    const state = this.job.state();
    this.screen.draw({
      title: this.view.title,
      format: state.format,
      state,
      ...(this.view.threshold !== undefined ? { threshold: this.view.threshold } : {}),
      ...(this.latest ? { latest: this.latest } : {}),
      rates: this.rates,
      alerts: this.alerts,
    });
  }
}
