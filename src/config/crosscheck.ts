// Checks across sections: rules and stats jobs name existing sources and actions; a web server
// reachable from other hosts needs a token.
import type { PathSegment, RawIssue } from "./issues.js";
import { isPlainObject } from "./schema.js";
import type { Config } from "./types.js";
import { isLoopback, parseListen } from "../web/listen.js";

/**
 * Works on the raw input, so a rule with its own schema errors still gets its references checked,
 * and a source that exists but is invalid is not reported missing as well.
 */
export function crossCheck(raw: unknown, config: Config): RawIssue[] {
  const input = isPlainObject(raw) ? raw : {};
  const sources = namesOf(input.sources);
  const actions = namesOf(input.actions);
  const issues: RawIssue[] = [];
  for (const section of ["rules", "stats"] as const) {
    const entries = input[section];
    if (!isPlainObject(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      if (!isPlainObject(entry)) continue;
      const at = [section, name];
      issues.push(...references(entry.source, [...at, "source"], sources, "source"));
      issues.push(...references(entry.actions, [...at, "actions"], actions, "action"));
    }
  }
  issues.push(...checkWeb(config));
  return issues;
}

/** Names defined in a section; undefined when the section itself is malformed (already reported). */
function namesOf(section: unknown): string[] | undefined {
  if (section === undefined || section === null) return [];
  return isPlainObject(section) ? Object.keys(section) : undefined;
}

/** Each name in a name or list of names must exist; values of the wrong type are the schema's business. */
function references(value: unknown, at: PathSegment[], known: string[] | undefined, what: string): RawIssue[] {
  if (!known) return [];
  const named: [unknown, PathSegment[]][] = Array.isArray(value) ? value.map((v, i) => [v, [...at, i]]) : [[value, at]];
  const issues: RawIssue[] = [];
  for (const [name, path] of named) {
    if (typeof name !== "string" || name === "" || known.includes(name)) continue;
    const have = known.length ? `defined ${what}s: ${known.join(", ")}` : `no ${what}s are defined`;
    issues.push({ path, message: `unknown ${what} "${name}" (${have})` });
  }
  return issues;
}

function checkWeb(config: Config): RawIssue[] {
  const web = config.web;
  if (!web || listensOnLoopback(web.listen)) return [];
  if (web.auth === "none")
    return [{ path: ["web", "auth"], message: `auth "none" is for loopback addresses only, not ${web.listen}` }];
  if (web.token || web.token_file) return [];
  return [
    {
      path: ["web", "listen"],
      message:
        `listening on ${JSON.stringify(web.listen)} (not a loopback address) needs a token: ` +
        `set web.token, or listen on 127.0.0.1`,
    },
  ];
}

/** Whether the web server would bind loopback only; an unparseable address is the schema's error, not this one's. */
function listensOnLoopback(listen: string): boolean {
  try {
    return isLoopback(parseListen(listen).host);
  } catch {
    return true;
  }
}
