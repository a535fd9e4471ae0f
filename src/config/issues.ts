// Config issues: one per mistake, with key path and (for files) line:column, gathered into one ConfigError.
import type { z } from "zod";
import { UserError } from "../core/errors.js";

export type PathSegment = string | number;

/** A mistake found while validating, before it is placed in the file. */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  /** Point at the key of the last path segment rather than its value (unknown keys, bad names). */
  atKey?: boolean;
}

/** A mistake as reported to the user. */
export interface ConfigIssue {
  file?: string;
  line?: number;
  column?: number;
  path: string;
  message: string;
}

/** Every mistake of one config at once; `message` lists them one per line. */
export class ConfigError extends UserError {
  readonly issues: ConfigIssue[];

  constructor(
    issues: ConfigIssue[],
    options: { code?: "CONFIG_INVALID" | "CONFIG_PARSE"; origin?: string; cause?: unknown } = {},
  ) {
    super(options.code ?? "CONFIG_INVALID", issues.map((issue) => formatIssue(issue, options.origin)).join("\n"), {
      cause: options.cause,
    });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** `rules.auth-storm.threshold.count`, with list indexes as `[1]` and odd keys (empty, control characters) quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (segment === "" || /[\u0000-\u001f\u007f]/.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text ? `.${segment}` : segment;
  }
  return text;
}

/** `logward.yaml:12:5 rules.x.threshold.count: Expected number, received string` — always one line. */
export function formatIssue(issue: ConfigIssue, origin?: string): string {
  return locate(issue, origin).replace(/\s*[\r\n]+\s*/g, " ");
}

function locate(issue: ConfigIssue, origin?: string): string {
  let where = "";
  if (issue.file !== undefined && issue.line !== undefined) where = `${issue.file}:${issue.line}:${issue.column ?? 1} `;
  else if (issue.file !== undefined || origin !== undefined) where = `${issue.file ?? origin}: `;
  return issue.path ? `${where}${issue.path}: ${issue.message}` : `${where}${issue.message}`;
}

/** Sort issues in file order; issues without a line keep their order, after the others. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const rank = (issue: ConfigIssue): [number, number] => [issue.line ?? Number.MAX_SAFE_INTEGER, issue.column ?? 0];
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => {
      const [la, ca] = rank(a.issue);
      const [lb, cb] = rank(b.issue);
      return la - lb || ca - cb || a.index - b.index;
    })
    .map(({ issue }) => issue);
}

type ZodIssue = z.core.$ZodIssue;

/** Turn zod's issues into RawIssues under prefix, one per unknown key and with plain messages. */
export function fromZod(issues: readonly ZodIssue[], prefix: PathSegment[] = []): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown key "${key}"`, atKey: true });
    } else if (issue.code === "invalid_union") {
      out.push(...fromUnion(issue.errors, path, issue));
    } else {
      out.push({ path, message: messageOf(issue) });
    }
  }
  return out;
}

/**
 * A union fails in every branch. When each branch only disagrees on the type, say which types would
 * do; otherwise the value had the right shape for some branch, so report that branch's own issues.
 */
function fromUnion(branches: ZodIssue[][], path: PathSegment[], issue: ZodIssue): RawIssue[] {
  const typeOnly = (list: ZodIssue[]): boolean =>
    list.length === 1 && list[0]?.code === "invalid_type" && list[0].path.length === 0;
  const closest = branches.find((list) => list.length > 0 && !typeOnly(list));
  if (closest) return fromZod(closest, path);
  const expected = [...new Set(branches.flat().map((i) => (i.code === "invalid_type" ? i.expected : "?")))];
  if (expected.length === 0 || expected.includes("?")) return [{ path, message: messageOf(issue) }];
  if (issue.input === undefined) return [{ path, message: "Required" }];
  return [{ path, message: `Expected ${expected.join(" or ")}, received ${typeName(issue.input)}` }];
}

function messageOf(issue: ZodIssue): string {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "Required";
    return `Expected ${issue.expected === "record" ? "map" : issue.expected}, received ${typeName(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    return (
      `Expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, ` +
      `received ${JSON.stringify(issue.input) ?? "nothing"}`
    );
  }
  return issue.message;
}

/** Zod's names for what a value is: string, number, array, null, object... */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return typeof value;
}
