// The `cri` format (containerd, CRI-O): `TIME STREAM P|F LOG` per line, P the parts of a line the runtime split.
import type { LineJoiner, ParserKind } from "../core/component.js";
import { PodPathFields } from "./container-path.js";
import { CONTAINER_FIELDS, fill } from "./docker.js";
import { ContainerJoiner, type ContainerPart } from "./container-join.js";
import { noOptions } from "./schema.js";

/** One CRI log line; the tag may carry more than P/F after a colon (reserved), which is ignored. */
export function criPart(line: string): ContainerPart | undefined {
  const s1 = line.indexOf(" ");
  const s2 = s1 < 0 ? -1 : line.indexOf(" ", s1 + 1);
  if (s1 <= 0 || s2 < 0) return undefined;
  const s3 = line.indexOf(" ", s2 + 1);
  const tag = line.slice(s2 + 1, s3 < 0 ? line.length : s3);
  const flag = tag.split(":")[0];
  if (flag !== "P" && flag !== "F") return undefined;
  const stream = line.slice(s1 + 1, s2);
  if (stream !== "stdout" && stream !== "stderr") return undefined;
  return { time: line.slice(0, s1), stream, partial: flag === "P", log: s3 < 0 ? "" : line.slice(s3 + 1) };
}

export function criLine(part: ContainerPart): string {
  return `${part.time} ${part.stream} ${part.partial ? "P" : "F"} ${part.log}`;
}

/** As docker: the line becomes the log text, `stream` and `log` fields, the runtime's time, the pod's names. */
export const criParser: ParserKind<Record<string, never>> & { joiner(maxBytes: number): LineJoiner } = {
  type: "cri",
  schema: noOptions,
  create() {
    const paths = new PodPathFields();
    return { parse: (record) => fill(record, criPart(record.line), paths) };
  },
  joiner: (maxBytes) => new ContainerJoiner(criPart, criLine, maxBytes),
  fieldsOf: () => CONTAINER_FIELDS,
};
