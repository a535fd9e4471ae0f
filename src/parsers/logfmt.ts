// The `logfmt` format: key=value pairs, values bare or "quoted with \" escapes"; a bare key is true.
import {
  HIT,
  INVALID,
  scanDecoded,
  type LineFormat,
  type RequestHit,
  type ParsedLine,
  type ScanOutcome,
} from "./access.js";
import { copyScalars, FieldMapper, type FieldNameOptions } from "./fieldmap.js";

const SPACE = 32;
const TAB = 9;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** The pairs of text[start, end), or undefined when it is not logfmt (no key=value pair, or a broken quote). */
export function parseLogfmt(text: string, start = 0, end = text.length): Record<string, string | boolean> | undefined {
  const pairs: Record<string, string | boolean> = {};
  let sawValue = false;
  let i = start;
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const keyStart = i;
    while (i < end && !isBlank(text.charCodeAt(i)) && text.charCodeAt(i) !== EQUALS) {
      if (text.charCodeAt(i) === QUOTE) return undefined;
      i++;
    }
    const key = text.slice(keyStart, i);
    if (key === "" || key === "__proto__") return undefined;
    if (i >= end || text.charCodeAt(i) !== EQUALS) {
      pairs[key] = true;
      continue;
    }
    i++;
    const value = readValue(text, i, end);
    if (!value) return undefined;
    pairs[key] = value.text;
    i = value.next;
    sawValue = true;
  }
  return sawValue ? pairs : undefined;
}

function readValue(text: string, i: number, end: number): { text: string; next: number } | undefined {
  if (i < end && text.charCodeAt(i) === QUOTE) {
    let out = "";
    let from = i + 1;
    for (let k = i + 1; k < end; k++) {
      const code = text.charCodeAt(k);
      if (code === BACKSLASH) {
        out += text.slice(from, k);
        from = k + 1; // keep the escaped character itself
        k++;
      } else if (code === QUOTE) {
        if (k + 1 < end && !isBlank(text.charCodeAt(k + 1))) return undefined;
        return { text: out + text.slice(from, k), next: k + 1 };
      }
    }
    return undefined;
  }
  let k = i;
  while (k < end && !isBlank(text.charCodeAt(k))) {
    if (text.charCodeAt(k) === QUOTE) return undefined;
    k++;
  }
  return { text: text.slice(i, k), next: k };
}

export function createLogfmtFormat(options: FieldNameOptions = {}): LineFormat {
  const mapper = new FieldMapper(options);
  const format: LineFormat = {
    name: "logfmt",
    scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome {
      const pairs = parseLogfmt(text, start, end);
      if (!pairs) return INVALID;
      mapper.hit(pairs, hit);
      return HIT;
    },
    scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
      return scanDecoded(format, buf, start, end, hit);
    },
    parse(line: string, out: ParsedLine): ScanOutcome {
      const pairs = parseLogfmt(line);
      if (!pairs) return INVALID;
      copyScalars(pairs, out.fields);
      out.time = mapper.apply(pairs, out.fields);
      return HIT;
    },
  };
  return format;
}
