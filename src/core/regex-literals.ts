// The literal runs a regex's source says every match contains: a conservative scan of its atoms, groups and
// alternations, for a prefilter that may let through lines that do not match but never drops one that does.

/**
 * The longest literal run that every match of a regex must contain, or undefined when none is known.
 * Conservative, so a prefilter can never drop a match: a class or an escape like \\d is one unknown character; a
 * group is opaque, except that a group that must occur (no `?`, `*` or `{`) lends the literal it requires itself;
 * a top-level alternation has none here (see branchLiterals).
 */
export function requiredLiteral(source: string): string | undefined {
  if (topLevelBranches(source).length > 1) return undefined;
  let best = "";
  let run = "";
  const consider = (literal: string): void => {
    if (literal.length > best.length) best = literal;
  };
  const close = (): void => {
    consider(run);
    run = "";
  };
  for (let i = 0; i < source.length;) {
    const atom = readAtom(source, i);
    const quantifier = source[atom.next];
    i = atom.next;
    if (quantifier === "*" || quantifier === "?" || quantifier === "{") {
      close(); // the atom may be absent or repeated: the run cannot cross it
      i = skipQuantifier(source, atom.next);
      continue;
    }
    if (atom.literal === undefined) {
      close();
      if (atom.group !== undefined) consider(requiredLiteral(atom.group) ?? "");
      if (quantifier === "+") i = skipQuantifier(source, atom.next);
      continue;
    }
    run += atom.literal;
    if (quantifier === "+") {
      close(); // present at least once, but what follows may be another copy of it
      i = skipQuantifier(source, atom.next);
    }
  }
  close();
  return best.length >= 2 ? best : undefined;
}

/**
 * For a regex whose top level is an alternation (`OutOfMemoryError|Killed process`), the required literal of
 * each branch; undefined when any branch has none (then a line may match without any known literal).
 */
export function branchLiterals(source: string): string[] | undefined {
  const branches = topLevelBranches(source);
  if (branches.length < 2) return undefined;
  const literals: string[] = [];
  for (const branch of branches) {
    const literal = requiredLiteral(branch);
    if (literal === undefined) return undefined;
    literals.push(literal);
  }
  return literals;
}

/** Split on `|` outside groups, classes and escapes. */
function topLevelBranches(source: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") i++;
    else if (inClass) inClass = ch !== "]";
    else if (ch === "[") inClass = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "|" && depth === 0) {
      branches.push(source.slice(start, i));
      start = i + 1;
    }
  }
  branches.push(source.slice(start));
  return branches;
}

interface Atom {
  /** The one character it matches, when it is a plain one. */
  literal: string | undefined;
  /** A group's inner source, when the group must match (not a lookaround). */
  group?: string;
  next: number;
}

/** One regex atom at i: a character, an escape, a class or a whole group, and where it ends. */
function readAtom(source: string, i: number): Atom {
  const ch = source[i] as string;
  if (ch === "\\") return readEscape(source, i);
  if (ch === "[") return { literal: undefined, next: closingBracket(source, i) + 1 };
  if (ch === "(") return readGroup(source, i);
  if (/[.^$*+?{}|)]/.test(ch)) return { literal: undefined, next: i + 1 };
  return { literal: ch, next: i + 1 };
}

/** An escape: a literal for an escaped syntax character, else an unknown character of the right length. */
function readEscape(source: string, i: number): Atom {
  const escaped = source[i + 1] ?? "";
  if (/[.*+?^${}()|[\]\\/-]/.test(escaped)) return { literal: escaped, next: i + 2 };
  const braced = (at: number): number => (source[at] === "{" ? closingOf(source, at, "}") + 1 : at);
  let next = i + 2;
  // Without its digits, \u, \x or \c is a plain letter (Annex B): then take just the two characters.
  const hex = (count: number): boolean => new RegExp(`^[0-9A-Fa-f]{${count}}`).test(source.slice(i + 2));
  if (escaped === "u") next = source[i + 2] === "{" ? braced(i + 2) : hex(4) ? i + 6 : i + 2;
  else if (escaped === "x") next = hex(2) ? i + 4 : i + 2;
  else if (escaped === "c") next = /[A-Za-z]/.test(source[i + 2] ?? "") ? i + 3 : i + 2;
  else if (escaped === "p" || escaped === "P") next = braced(i + 2);
  else if (escaped === "k") next = source[i + 2] === "<" ? closingOf(source, i + 2, ">") + 1 : i + 2;
  else if (/\d/.test(escaped)) while (/\d/.test(source[next] ?? "")) next++;
  return { literal: undefined, next: Math.min(next, source.length) };
}

/** A group: opaque to the run; its inner source is offered when it is not a lookaround. */
function readGroup(source: string, i: number): Atom {
  const end = closingParen(source, i);
  const head = /^\(\?(?:<[A-Za-z_$][\w$]*>|:)?/.exec(source.slice(i, i + 40));
  const lookaround = /^\(\?<?[=!]/.test(source.slice(i, i + 4));
  const inner = source.slice(i + (head?.[0].length ?? 1), end);
  return lookaround ? { literal: undefined, next: end + 1 } : { literal: undefined, group: inner, next: end + 1 };
}

/** Index of the `]` closing the class opened at i (escapes skipped), or the end. */
function closingBracket(source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\") j++;
    else if (source[j] === "]") return j;
  }
  return source.length;
}

/** Index of the `)` closing the group opened at i, past nested groups, classes and escapes, or the end. */
function closingParen(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    const ch = source[j];
    if (ch === "\\") j++;
    else if (ch === "[") j = closingBracket(source, j);
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return j;
  }
  return source.length;
}

function closingOf(source: string, at: number, close: string): number {
  const end = source.indexOf(close, at);
  return end < 0 ? source.length : end;
}

function skipQuantifier(source: string, i: number): number {
  if (source[i] === "{") {
    const end = source.indexOf("}", i);
    i = end < 0 ? source.length : end + 1;
  } else {
    i++;
  }
  return source[i] === "?" ? i + 1 : i; // lazy quantifier
}
