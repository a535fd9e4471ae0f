// A read's lines go to the pipeline a slice at a time (one slice's strings and records are alive at once, not a
// whole read's, so they die in the young generation), each slice one batch whose acknowledgement moves the checkpoint.
import type { SourceContext } from "../../core/component.js";
import { describeError } from "../../core/errors.js";
import { CountingAck } from "../../core/record.js";
import type { RawLine } from "./lines.js";
import type { FileMetrics } from "./metrics.js";
import type { SourceState } from "./state.js";
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

/** Hand lines to the pipeline as one batch, tracking its acknowledgement; on refusal, rewind to read them again. */
export async function handOver(
  t: Tailer,
  lines: RawLine[],
  rewindTo: number,
  ctx: SourceContext,
  state: SourceState<Tailer>,
): Promise<boolean> {
  const entry = t.acks.add(t.committable);
  if (lines.length === 0) {
    entry.done();
    return true;
  }
  if (!state.identitySaved(t)) await state.saveIdentities();
  const records = t.records(lines);
  // A stop that delivered part of the batch commits that part: the next start repeats none of it. The offsets
  // are copied: the ack lives until the actions have written their events, and must not keep every line alive.
  const offsets = lines.map((l) => l.offset);
  const ack = new CountingAck(entry.done, (n) => {
    const next = offsets[n];
    if (next !== undefined) entry.progress(next);
  });
  try {
    await ctx.emit({ source: ctx.name, records, ack });
  } catch (err) {
    entry.cancel();
    if (t.handle) t.rewind(rewindTo);
    ctx.logger.error({ file: t.path, err: describeError(err) }, "pipeline refused a batch; will read it again");
    return false;
  }
  ack.releaseInitial();
  return true;
}
