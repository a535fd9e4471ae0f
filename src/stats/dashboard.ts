// The terminal dashboard of `logward stats` on a TTY: a pure renderer and a screen that redraws in place.
import type { WriteStream } from "node:tty";
import { colourWanted, terminalSize } from "../core/terminal.js";
import type { TrafficState } from "./analyzer.js";
import { formatBytes, formatPercent, isoSeconds } from "./render.js";
import type { StatsReport, TopEntry } from "./report.js";

export interface DashboardView {
  /** What is watched: a file name or "stdin". */
  title: string;
  format: string;
  state: TrafficState;
  threshold?: number;
  latest?: StatsReport;
  /** Req/s of recent reports, oldest first, for the sparkline. */
  rates: number[];
  /** Recent alert messages, oldest first. */
  alerts: { message: string; firing: boolean }[];
}

const SPARK = "▁▂▃▄▅▆▇█";
const COLOURS = { RED: "\x1b[31;1m", GREEN: "\x1b[32m", DIM: "\x1b[2m", BOLD: "\x1b[1m", RESET: "\x1b[0m" };
const NO_COLOURS: typeof COLOURS = { RED: "", GREEN: "", DIM: "", BOLD: "", RESET: "" };
type Palette = typeof COLOURS;

export function sparkline(values: number[], width: number): string {
  const shown = values.slice(-width);
  const max = Math.max(...shown, 0);
  return shown.map((v) => (max === 0 ? SPARK[0] : SPARK[Math.min(7, Math.floor((v / max) * 7.999))])).join("");
}

function bar(value: number, total: number, width: number): string {
  return total > 0 ? "█".repeat(Math.round((value / total) * width)) : "";
}

function table(title: string, entries: TopEntry[], width: number, { BOLD, RESET }: Palette): string[] {
  const nameWidth = Math.max(8, width - 9);
  const rows = entries.map((e) => `${truncate(e.name, nameWidth).padEnd(nameWidth)} ${String(e.hits).padStart(8)}`);
  return [`${BOLD}${title.padEnd(nameWidth)} ${"hits".padStart(8)}${RESET}`, ...rows];
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The dashboard as lines (with ANSI colours unless `colour` is false) for a terminal `width` columns wide. */
export function renderDashboard(view: DashboardView, width: number, colour = true): string[] {
  const palette = colour ? COLOURS : NO_COLOURS;
  const { RED, GREEN, DIM, BOLD, RESET } = palette;
  const { state, latest } = view;
  const clock = state.watermark !== undefined ? isoSeconds(state.watermark) : "waiting for lines";
  const lines = [
    padVisible(`${BOLD}logward stats${RESET} — ${view.title} (${view.format})`, width - clock.length - 1) +
      ` ${DIM}${clock}${RESET}`,
  ];
  const alert = state.firing ? `${RED}HIGH TRAFFIC${RESET}` : view.threshold !== undefined ? `${GREEN}ok${RESET}` : "";
  const limit = view.threshold !== undefined ? ` (alert above ${view.threshold} req/s)` : "";
  lines.push(`window ${state.window.seconds}s: ${BOLD}${state.window.rate} req/s${RESET}${limit}  ${alert}`);
  lines.push(`trend   ${sparkline(view.rates, Math.max(10, width - 10))}`);
  lines.push("");
  if (latest) {
    const seconds = (latest.to - latest.from) / 1000;
    lines.push(
      `last ${seconds}s: ${latest.hits} hits, ${latest.rate} req/s, ${formatBytes(latest.bytes)}, ` +
        `errors ${formatPercent(latest.errorRate)}` +
        `${latest.invalid ? `, ${latest.invalid} invalid` : ""}${latest.late ? `, ${latest.late} late` : ""}`,
    );
    const classes = ["2xx", "3xx", "4xx", "5xx"] as const;
    lines.push(
      classes
        .map((c) => `${c} ${String(latest.status[c]).padStart(6)} ${bar(latest.status[c], latest.hits, 10).padEnd(10)}`)
        .join(" "),
    );
    lines.push("");
    const half = Math.floor((width - 3) / 2);
    const left = table("Top sections", latest.sections, half, palette);
    const right = table("Top hosts", latest.hosts, half, palette);
    for (let i = 0; i < Math.max(left.length, right.length); i++)
      lines.push(`${padVisible(left[i] ?? "", half)}   ${right[i] ?? ""}`);
  } else {
    lines.push(`${DIM}no report yet${RESET}`);
  }
  lines.push("", `${BOLD}Alerts${RESET}`);
  if (view.alerts.length === 0) lines.push(`${DIM}none${RESET}`);
  for (const a of view.alerts.slice(-5)) lines.push(`${a.firing ? RED : GREEN}${a.message}${RESET}`);
  lines.push(
    "",
    `${DIM}lines ${state.totals.hits + state.totals.invalid + state.totals.late}, invalid ${state.totals.invalid}, ` +
      `late ${state.totals.late} — Ctrl-C to quit${RESET}`,
  );
  return lines;
}

function padVisible(text: string, width: number): string {
  const visible = text.replace(/\x1b\[[0-9;]*m/g, "").length;
  return text + " ".repeat(Math.max(0, width - visible));
}

/**
 * Draws the dashboard on the alternate screen, in place; restores the terminal on close. Cursor moves are needed to
 * redraw and stay; colours follow NO_COLOR/FORCE_COLOR.
 */
export class DashboardScreen {
  private opened = false;
  private readonly colour: boolean;

  constructor(
    private readonly stream: WriteStream,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.colour = colourWanted(stream, env);
  }

  draw(view: DashboardView): void {
    if (!this.opened) {
      this.stream.write("\x1b[?1049h\x1b[?25l"); // alternate screen, hide cursor
      this.opened = true;
    }
    const { columns, rows } = terminalSize(this.stream);
    const lines = renderDashboard(view, columns, this.colour).slice(0, rows);
    this.stream.write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join("\n")}\x1b[J`);
  }

  close(): void {
    if (this.opened) this.stream.write("\x1b[?25h\x1b[?1049l");
    this.opened = false;
  }
}
