// The batch message format shared by the nats action (writes it) and the nats source (reads it).
//
// A message with one line is that line's JSON object, as logward 0.1 published every line. A message with more is
// a batch: the header `Logward-Batch: 1` (the format's version) and the JSON object
// `{"logward_batch":1,"count":N,"line":NOTICE,"lines":[line, line, ...]}`. An analyser that predates batches
// ignores headers and reads any object with a `line` as one record: it then shows NOTICE, which says what happened
// and what to do, instead of silently taking a batch for one line. An analyser that meets a newer version than it
// knows reports it as a decode error rather than guessing.

/** Header naming the batch format's version. */
export const BATCH_HEADER = "Logward-Batch";
export const BATCH_VERSION = 1;

/** What an analyser older than batches shows in place of a batch's lines. */
export function batchNotice(count: number): string {
  return (
    `[logward batch of ${count} lines: this analyser cannot read batches; ` +
    `upgrade it, or set max_batch_lines: 1 on the agent's nats action]`
  );
}

/** The payload of a batch, from the lines' JSON texts (each an object, as published alone). */
export function batchPayload(lines: readonly string[]): string {
  return `${batchPrefix(lines.length)}${lines.join(",")}]}`;
}

/** A batch of count lines up to its first line: the lines, comma-separated, and `]}` follow. ASCII only. */
export function batchPrefix(count: number): string {
  const notice = JSON.stringify(batchNotice(count));
  return `{"logward_batch":${BATCH_VERSION},"count":${count},"line":${notice},"lines":[`;
}
