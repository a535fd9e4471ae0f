// The file source's metrics: bytes and lines per file, lag, rotations by kind, cut lines, open files, watches.
import type { Metrics } from "../../core/metrics.js";

export type RotationKind = "rename" | "delete" | "truncate" | "copytruncate";

export class FileMetrics {
  private readonly bytes;
  private readonly lines;
  private readonly lag;
  private readonly rotations;
  private readonly cut;
  private readonly open;
  private readonly watched;

  constructor(
    metrics: Metrics,
    private readonly source: string,
  ) {
    this.bytes = metrics.counter("file_bytes_read_total", "Bytes read from files", ["source", "file"]);
    this.lines = metrics.counter("file_lines_read_total", "Lines (events) read from files", ["source", "file"]);
    this.lag = metrics.gauge("file_lag_bytes", "Bytes of a file not yet delivered (size - checkpoint offset)", [
      "source",
      "file",
    ]);
    this.rotations = metrics.counter("file_rotations_total", "File rotations seen, by kind", ["source", "kind"]);
    this.cut = metrics.counter("file_lines_cut_total", "Lines longer than max_line_bytes, cut and marked", ["source"]);
    this.open = metrics.gauge("file_open_files", "Files held open", ["source"]);
    this.watched = metrics.gauge(
      "file_watched_directories",
      "Directories watched with inotify (one watch each, none per file)",
      ["source"],
    );
  }

  read(file: string, bytes: number, lines: number): void {
    this.bytes.inc({ source: this.source, file }, bytes);
    if (lines > 0) this.lines.inc({ source: this.source, file }, lines);
  }

  setLag(file: string, bytes: number): void {
    this.lag.set({ source: this.source, file }, Math.max(0, bytes));
  }

  forget(file: string): void {
    this.lag.remove({ source: this.source, file });
  }

  rotation(kind: RotationKind): void {
    this.rotations.inc({ source: this.source, kind });
  }

  linesCut(n: number): void {
    if (n > 0) this.cut.inc({ source: this.source }, n);
  }

  openFiles(n: number): void {
    this.open.set({ source: this.source }, n);
  }

  watchedDirs(n: number): void {
    this.watched.set({ source: this.source }, n);
  }
}
