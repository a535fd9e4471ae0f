// Checks across sections: rules and stats jobs name existing sources and actions; a web server
// reachable from other hosts needs a token.
import type { PathSegment, RawIssue } from "./issues.js";
import { isPlainObject } from "./schema.js";
import type { Config } from "./types.js";

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
  if (!web || (web.token !== undefined && web.token !== "")) return [];
  if (isLoopback(listenHost(web.listen))) return [];
  return [
    {
      path: ["web", "listen"],
      message: `listening on ${JSON.stringify(web.listen)} (not a loopback address) needs a token: set web.token, or listen on 127.0.0.1`,
    },
  ];
}

/**
 * The host of `host:port`, `[v6]:port`, `:port` or a bare port; like the web server, an omitted host
 * means 127.0.0.1. Anything else unparseable is returned whole, so it is not taken for loopback.
 */
export function listenHost(listen: string): string {
  const text = listen.trim();
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]*):)?(\d{1,5})$/.exec(text);
  if (!m) return text;
  const host = m[1] ?? m[2] ?? "";
  return host === "" ? "127.0.0.1" : host;
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
