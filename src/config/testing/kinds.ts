// Stub source/action/parser kinds for config tests, and the config API called with only them.
import * as z from "zod";
import { formatConfig as format } from "../format.js";
import type { ConfigKinds } from "../kinds.js";
import { loadConfig as load, validateConfig as validate } from "../load.js";
import type { Config } from "../types.js";
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

/** The stubs as the only kinds: these unit tests do not depend on the real kinds' schemas (nor change them). */
export const testKinds: ConfigKinds = {
  sources: [stubFile, testNetSource],
  actions: [testHookAction, testExecAction],
  parsers: [testParser],
};

/** loadConfig knowing only the stub kinds. */
export function loadConfig(file: string, options: Parameters<typeof load>[1] = {}): Promise<Config> {
  return load(file, { kinds: testKinds, ...options });
}

/** validateConfig knowing only the stub kinds. */
export function validateConfig(raw: unknown, options: Parameters<typeof validate>[1] = {}): Config {
  return validate(raw, { kinds: testKinds, ...options });
}

/** formatConfig describing entries by the stub kinds' schemas. */
export function formatConfig(config: Config): string {
  return format(config, testKinds);
}
