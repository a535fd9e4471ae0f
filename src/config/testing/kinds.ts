// Stub source/action/parser kinds for config tests, registered only while a test needs them.
import { z } from "zod";
import { actionKinds } from "../../actions/index.js";
import { parserKinds } from "../../parsers/index.js";
import { findSourceKind, sourceKinds } from "../../sources/index.js";
import type { ActionKind, ParserKind, SourceKind } from "../../core/component.js";
import { zDuration, zSize } from "../../core/schema.js";

const unused = (): never => {
  throw new Error("stub kind: not for running");
};

/** Used as `file` only when the real file source is not registered (yet). */
const stubFile: SourceKind = {
  type: "file",
  schema: z.strictObject({
    path: z.string().min(1),
    recursive: z.boolean().default(false),
    start_at: z.enum(["end", "beginning"]).default("end"),
    rescan: zDuration.optional(),
    max_line_bytes: zSize.default(1024 * 1024),
  }),
  create: unused,
};

export const testNetSource: SourceKind = {
  type: "t-net",
  schema: z.strictObject({ listen: z.array(z.string()).min(1), servers: z.string().optional() }),
  create: unused,
};

export const testHookAction: ActionKind = {
  type: "t-hook",
  schema: z.strictObject({
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
    token: z.string().optional(),
    batch: z.strictObject({ size: z.number().int().positive(), timeout: zDuration }).optional(),
    max_retries: z.number().int().nonnegative().default(3),
    // Shared units piped into a further check, as real kinds do.
    timeout: zDuration.pipe(z.number().positive()).default(10_000),
    max_bytes: zSize.pipe(z.number().int().positive()).default(1024 * 1024),
  }),
  create: unused,
};

export const testExecAction: ActionKind = {
  type: "t-exec",
  schema: z.strictObject({ command: z.string().min(1), timeout: zDuration.default(30_000) }),
  create: unused,
};

export const testParser: ParserKind = {
  type: "t-fmt",
  schema: z.strictObject({ strict: z.boolean().default(false) }),
  create: unused,
};

/** Register the stubs (and a stub `file` if the real one is missing); returns the undo. */
export function registerTestKinds(): () => void {
  const sources = [testNetSource, ...(findSourceKind("file") ? [] : [stubFile])];
  sourceKinds.push(...sources);
  actionKinds.push(testHookAction, testExecAction);
  parserKinds.push(testParser);
  return () => {
    remove(sourceKinds, sources);
    remove(actionKinds, [testHookAction, testExecAction]);
    remove(parserKinds, [testParser]);
  };
}

function remove<T>(list: T[], items: T[]): void {
  for (const item of items) {
    const index = list.indexOf(item);
    if (index >= 0) list.splice(index, 1);
  }
}
