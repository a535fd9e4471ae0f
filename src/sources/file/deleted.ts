// At stop, files deleted while open are read to their end: after a restart no path leads to them any more.
import type { Clock } from "../../core/clock.js";
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { statHandle } from "./fingerprint.js";
import { emitRead, type EmitLines } from "./emit-read.js";
import type { FileMetrics } from "./metrics.js";
import { REWRITTEN, type Tailer } from "./tailer.js";

export interface DrainHooks {
  emit: EmitLines;
  /** Lines handed over at a time. */
  slice: number;
  clock: Clock;
  logger: Logger;
  metrics: FileMetrics;
}

/**
 * Read every open file whose last link is gone to its end and emit what it held back (an unfinished last line
 * or an open multiline event: nothing will complete it for us now). Bounded by the deadline (clock ms).
 */
export async function drainDeleted(tailers: Iterable<Tailer>, hooks: DrainHooks, deadline: number): Promise<void> {
  for (const t of [...tailers]) {
    if (!(await isDeleted(t))) continue;
    const from = t.readPos;
    let finished = false;
    try {
      finished = await readToEnd(t, hooks, deadline);
    } catch (err) {
      hooks.logger.warn({ file: t.path, err: describeError(err) }, "could not read a deleted file at stop");
    }
    if (finished)
      hooks.logger.info({ file: t.path, bytes: t.readPos - from }, "read a deleted file to its end before stopping");
    else
      hooks.logger.warn(
        { file: t.path, unread: Math.max(0, t.size - t.readPos) },
        "stopped before a deleted file was read to its end; its unread lines are lost",
      );
  }
}

async function isDeleted(t: Tailer): Promise<boolean> {
  if (!t.handle) return false;
  try {
    const st = await statHandle(t.handle);
    t.observe({ size: Math.max(t.size, st.size), mtimeMs: st.mtimeMs, nlink: st.nlink });
    return st.nlink === 0;
  } catch {
    return false;
  }
}

/** True once the file was read to its end and everything it held was emitted. */
async function readToEnd(t: Tailer, hooks: DrainHooks, deadline: number): Promise<boolean> {
  for (;;) {
    if (hooks.clock.now() > deadline) return false;
    const bytes = await t.read();
    if (bytes === undefined) break;
    if (bytes === REWRITTEN) return false; // truncated through a descriptor still open: the rest is gone
    if (!(await emitRead(t, bytes, hooks.slice, hooks.emit, hooks.metrics))) return false;
  }
  if (t.holding && !(await hooks.emit(t, t.flushAll(), t.committable))) return false;
  return true;
}
