// The `docker` format (json-file driver): {"log":"text\n","stream":"stdout","time":"RFC 3339"} per line.
import type { LineJoiner, ParserKind, ReadLine } from "../core/component.js";
import type { LogRecord } from "../core/record.js";
import { POD_PATH_FIELDS, PodPathFields } from "./container-path.js";
import { noOptions } from "./schema.js";
import { ContainerJoiner, type ContainerPart } from "./container-join.js";

/** One json-file record: its log text (with the newline the runtime kept, when the record is whole). */
export function dockerPart(line: string): ContainerPart | undefined {
  if (line.charCodeAt(0) !== 123 /* { */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const { log, stream, time } = (value ?? {}) as Record<string, unknown>;
  if (typeof log !== "string" || typeof stream !== "string" || typeof time !== "string") return undefined;
  const partial = !log.endsWith("\n");
  return { log: partial ? log : log.slice(0, -1), stream, time, partial };
}

export function dockerLine(part: ContainerPart): string {
  return JSON.stringify({ log: part.partial ? part.log : `${part.log}\n`, stream: part.stream, time: part.time });
}

/**
 * The record's line becomes the log text (what rules match), with `stream` and `log` as fields, the time from
 * the record, and the pod's names for a Kubernetes path. A docker record without a trailing newline is the start of
 * a longer line the runtime split (at 16 KiB): the file source joins those first (see joiner).
 */
export const dockerParser: ParserKind<Record<string, never>> & { joiner(maxBytes: number): LineJoiner } = {
  type: "docker",
  schema: noOptions,
  create() {
    const paths = new PodPathFields();
    return { parse: (record) => fill(record, dockerPart(record.line), paths) };
  },
  joiner: (maxBytes) => new ContainerJoiner(dockerPart, dockerLine, maxBytes),
  fieldsOf: () => CONTAINER_FIELDS,
};

/** Every field fill may set. */
export const CONTAINER_FIELDS = ["stream", "log", "partial", ...POD_PATH_FIELDS];

/** Fill a record from a container log part; shared by docker and cri. */
export function fill(record: LogRecord, part: ContainerPart | undefined, paths: PodPathFields): boolean {
  if (!part) return false;
  const time = Date.parse(part.time);
  if (Number.isNaN(time)) return false;
  Object.assign(record.fields, paths.of(record.file));
  record.fields.stream = part.stream;
  record.fields.log = part.log;
  if (part.partial) record.fields.partial = true;
  record.line = part.log;
  record.time = time;
  return true;
}

export type { ReadLine };
