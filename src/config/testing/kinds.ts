// Stub source/action/parser kinds for config tests, registered only while a test needs them.
import * as z from "zod";
import { actionKinds } from "../../actions/index.js";
import { parserKinds } from "../../parsers/index.js";
import { sourceKinds } from "../../sources/index.js";
import type { ActionKind, ParserKind, SourceKind } from "../../core/component.js";
import { zDuration, zSize } from "../../core/schema.js";

const unused = (): never => {
  throw new Error("stub kind: not for running");
};

/** Stands in for the real file source, so these tests do not depend on its schema. */
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

/**
 * Swap the registries' contents for the stubs (the real kinds have schemas of their own that these
 * unit tests should not depend on); returns the undo, which puts the real kinds back.
 */
export function registerTestKinds(): () => void {
  const saved = { sources: sourceKinds.splice(0), actions: actionKinds.splice(0), parsers: parserKinds.splice(0) };
  sourceKinds.push(stubFile, testNetSource);
  actionKinds.push(testHookAction, testExecAction);
  parserKinds.push(testParser);
  return () => {
    sourceKinds.splice(0, sourceKinds.length, ...saved.sources);
    actionKinds.splice(0, actionKinds.length, ...saved.actions);
    parserKinds.splice(0, parserKinds.length, ...saved.parsers);
  };
}
