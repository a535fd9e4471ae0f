// The YAML/JSON document behind a config: parse with positions, interpolate scalars in place, and
// map key paths and offsets back to line:column.
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, Scalar, type Document, type Node } from "yaml";
import { interpolate, type Env } from "./env.js";
import type { PathSegment, RawIssue } from "./issues.js";

export interface ParsedDocument {
  doc: Document;
  lines: LineCounter;
}

export interface Position {
  line: number;
  column: number;
}

/** A parse problem (syntax, duplicate key) with where it is. */
export interface SyntaxProblem extends Position {
  code: string;
  message: string;
  path: PathSegment[];
}

export function parseConfigText(text: string): ParsedDocument & { problems: SyntaxProblem[] } {
  const lines = new LineCounter();
  // uniqueKeys: two sources or rules with one name would silently shadow each other.
  // merge: `<<: *defaults` shares settings between entries, as YAML 1.1 users expect.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const problems = doc.errors.map((err) => {
    const offset = err.pos[0];
    const pos = positionOf(lines, offset);
    return {
      code: err.code,
      message: err.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, ""),
      path: pathAtOffset(doc.contents, offset),
      ...pos,
    };
  });
  return { doc, lines, problems };
}

export function positionOf(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/**
 * Interpolate every string value (not keys) of the document in place, so each value keeps its own
 * node and position. A plain (unquoted) scalar is then typed as if its new text had been written
 * there (`count: ${N:-5}` is a number); quote it to keep a string.
 */
export function interpolateDocument(doc: Document, env: Env): { unresolved: RawIssue[]; retyped: PathSegment[][] } {
  const issues: RawIssue[] = [];
  const retyped: PathSegment[][] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...path, keyOf(pair.key)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === "string") {
      const result = interpolate(node.value, env);
      if (!result.ok) issues.push(...result.errors.map((message) => ({ path, message })));
      else if (result.changed) {
        node.value = retype(result.value, node.type);
        if (typeof node.value !== "string") retyped.push(path);
      }
    }
  };
  walk(doc.contents, []);
  return { unresolved: issues, retyped };
}

function retype(text: string, type: Scalar["type"]): unknown {
  if (type !== Scalar.PLAIN || /[\n:#[\]{},]/.test(text)) return text;
  try {
    const value: unknown = parse(text);
    return typeof value === "number" || typeof value === "boolean" ? value : text;
  } catch {
    return text;
  }
}

/**
 * A map key as the path segment toJS gives it; a collection used as a key is only named (stringifying it can throw).
 */
function keyOf(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? "" : "(complex key)";
}

/**
 * The node a key path points at: the value, or with atKey the key itself. Where the path leaves the
 * document (a missing key), the deepest existing node on the way: the parent map.
 */
export function nodeAt(doc: Document, path: readonly PathSegment[], atKey = false): Node | undefined {
  let node: unknown = doc.contents;
  let found = isNode(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(segment));
      if (pair && atKey && i === path.length - 1 && isNode(pair.key)) return pair.key;
      // `name:` with no value has no value node: its key is the closest thing to point at.
      next = pair ? (isNode(pair.value) && pair.value.range ? pair.value : pair.key) : undefined;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    }
    if (!isNode(next)) break;
    node = next;
    found = next;
  }
  return found;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "range" in value && Array.isArray((value as Node).range);
}

/** Key path of the deepest map entry or list item whose text contains offset. */
export function pathAtOffset(root: unknown, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node = root;
  for (;;) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (contains(pair.key, offset)) return [...path, keyOf(pair.key)];
        if (contains(pair.value, offset)) {
          path.push(keyOf(pair.key));
          next = pair.value;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        if (contains(item, offset)) {
          path.push(index);
          next = item;
        }
      });
    }
    if (next === undefined) return path;
    node = next;
  }
}

function contains(node: unknown, offset: number): boolean {
  if (!isNode(node) || !node.range) return false;
  return node.range[0] <= offset && offset < node.range[2];
}
