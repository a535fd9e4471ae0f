// A read's lines go to the pipeline a slice at a time: one slice's strings and records are alive at once, not a
// whole read's, so they die in the young generation instead of being promoted with every read.
import type { RawLine } from "./lines.js";
import type { FileMetrics } from "./metrics.js";
import type { Tailer } from "./tailer.js";

/** Emit lines as one batch; false when the pipeline refused it (the file is then rewound to rewindTo). */
export type EmitLines = (t: Tailer, lines: RawLine[], rewindTo: number) => Promise<boolean>;

/**
 * Emit the lines of the read just made (`bytes` long), `slice` lines at a time, each once the one before was
 * taken; false when the pipeline refused one. A slice's batch ends where the next slice starts, so the checkpoint
 * never moves past a line not yet handed over; a refused slice is read again from its first line.
 */
export async function emitRead(
  t: Tailer,
  bytes: number,
  slice: number,
  emit: EmitLines,
  metrics: FileMetrics,
): Promise<boolean> {
  // The first take always returns lines (maybe none): the read's bytes are counted with them.
  for (let first = true; ; first = false) {
    const rewindTo = t.committable;
    const lines = t.take(slice);
    if (!lines) return true;
    metrics.read(t.path, first ? bytes : 0, t.countLines());
    metrics.linesCut(countCut(lines));
    if (!(await emit(t, lines, rewindTo))) return false;
  }
}

function countCut(lines: readonly RawLine[]): number {
  let n = 0;
  for (const line of lines) if (line.cut > 0) n++;
  return n;
}
