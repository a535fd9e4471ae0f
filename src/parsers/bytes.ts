// Small scans on the bytes of a line, matching access.ts's text helpers character for character on ASCII structure.

export const SPACE = 32;
export const QUOTE = 34;

/** Digits at buf[start, end) as a number; -1 when empty, not all digits, or longer than 15 digits (as digitsAt). */
export function digitsIn(buf: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The first byte `code` in buf[from, end), or end. */
export function findIn(buf: Uint8Array, code: number, from: number, end: number): number {
  while (from < end && buf[from] !== code) from++;
  return from;
}

/**
 * Where the path lies in a request "METHOD path PROTOCOL" at buf[start, end), split as requestSpans
 * splits it: into spans[at] and spans[at + 1] (both start when there is no space, so no path).
 */
export function requestPathIn(buf: Uint8Array, start: number, end: number, spans: Int32Array, at: number): void {
  const first = findIn(buf, SPACE, start, end);
  if (first >= end) {
    spans[at] = start;
    spans[at + 1] = start;
    return;
  }
  let last = end - 1;
  while (buf[last] !== SPACE) last--;
  if (last === first) last = end;
  spans[at] = first + 1;
  spans[at + 1] = last;
}

/** Whether buf[start, end) holds exactly the ASCII text `word`. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word.charCodeAt(i)) return false;
  return true;
}
