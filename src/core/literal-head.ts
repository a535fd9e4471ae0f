// A regex that starts with a plain literal (`\/api\/user\/7[0-9]* HTTP`, `^4\.28\.\d+`, `" 50[0-9] "`) run as a
// string search for the literal and the rest of the regex from its end, sticky: the same first match, without the
// regex's match array, and with the rest compiled once for every pattern that shares it (a thousand rules of a few
// shapes differ in their literals only).
import type { MatchResult } from "./pattern.js";
import { nestedQuantifier } from "./pattern-risk.js";

/** The literal head of a regex and what follows it. */
export interface LiteralHead {
  /** The literal every match starts with (not empty). */
  readonly head: string;
  /** The match starts at the line's start (`^` without `m`). */
  readonly anchored: boolean;
  /** The rest of the regex, sticky, or undefined when the regex is the head alone. */
  readonly tail: RegExp | undefined;
}

/** The sticky tails by flags and source: one compiled regex for all the patterns that end alike. */
const tails = new Map<string, RegExp>();
const TAILS_MAX = 10_000;

/** Characters a regex (outside a class, without `u`) may escape to mean themselves, and that are read as such. */
const ESCAPED_SELF = new Set("^$\\.*+?()[]{}|/-\"'");
/** Characters that end a literal head unescaped. */
const SPECIAL = new Set("^$\\.*+?()[]{}|");
/** A quantifier after an atom takes it out of the head. */
const QUANTIFIER = new Set("?*+{");

/**
 * The literal head of a regex, or undefined when it has none that is safe to run apart: a regex with a flag other than
 * `m` or `s` (the string search compares code units exactly, and `i`/`u` do not), a top-level `|` (a match need not start with the head), named
 * groups (the match array would be needed for them), a nested quantifier (left to the guard, see guard.ts), or a
 * rest that does not compile alone.
 */
export function literalHead(source: string, flags: string): LiteralHead | undefined {
  if (/[^ms]/.test(flags) || /\(\?<(?![=!])/.test(source) || hasTopLevelBar(source)) return undefined;
  if (nestedQuantifier(source) !== undefined) return undefined;
  const anchored = source.startsWith("^");
  if (anchored && flags.includes("m")) return undefined;
  let at = anchored ? 1 : 0;
  let head = "";
  while (at < source.length) {
    const char = source[at] as string;
    let unit = char;
    let next = at + 1;
    if (char === "\\") {
      const escaped = source[at + 1];
      if (escaped === undefined || !ESCAPED_SELF.has(escaped)) break;
      unit = escaped;
      next = at + 2;
    } else if (SPECIAL.has(char)) break;
    // A quantified atom is not certain to be there once: the head ends before it.
    if (next < source.length && QUANTIFIER.has(source[next] as string)) break;
    head += unit;
    at = next;
  }
  if (head === "") return undefined;
  const rest = source.slice(at);
  if (rest === "") return { head, anchored, tail: undefined };
  const tail = stickyTail(rest, flags);
  return tail ? { head, anchored, tail } : undefined;
}

function stickyTail(rest: string, flags: string): RegExp | undefined {
  const key = `${flags}/${rest}`;
  let tail = tails.get(key);
  if (tail) return tail;
  try {
    tail = new RegExp(rest, `${flags}y`);
  } catch {
    return undefined;
  }
  if (tails.size >= TAILS_MAX) tails.clear();
  tails.set(key, tail);
  return tail;
}

/** Whether the regex has a `|` outside every group and class (an alternative of the whole regex). */
function hasTopLevelBar(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let at = 0; at < source.length; at++) {
    const char = source[at];
    if (char === "\\") at++;
    else if (inClass) inClass = char !== "]";
    else if (char === "[") inClass = true;
    else if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "|" && depth === 0) return true;
  }
  return false;
}

/** Whether the line holds a match of the regex `split` was taken from. */
export function headTest(split: LiteralHead, line: string): boolean {
  return matchEnd(split, line) >= 0;
}

/** The first match as the regex gives it (no named groups: see literalHead), or undefined. */
export function headMatch(split: LiteralHead, line: string, groups: Record<string, string>): MatchResult | undefined {
  const end = matchEnd(split, line);
  if (end < 0) return undefined;
  return { match: split.tail ? line.slice(start, end) : split.head, groups };
}

/** Where the match matchEnd found last starts. */
let start = 0;

/**
 * The end of the regex's first match, or -1 (its start in `start`): the leftmost place where the head is and the
 * rest matches right after it. The head has no choice in it, so the rest's first match there is the regex's.
 */
function matchEnd(split: LiteralHead, line: string): number {
  const { head, tail } = split;
  if (split.anchored) return line.startsWith(head) ? tailEnd(tail, line, 0, head.length) : -1;
  for (let at = line.indexOf(head); at >= 0; at = line.indexOf(head, at + 1)) {
    const end = tailEnd(tail, line, at, head.length);
    if (end >= 0) return end;
  }
  return -1;
}

function tailEnd(tail: RegExp | undefined, line: string, at: number, length: number): number {
  start = at;
  if (!tail) return at + length;
  tail.lastIndex = at + length;
  return tail.test(line) ? tail.lastIndex : -1;
}
