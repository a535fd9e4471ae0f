// The `json` format: one JSON object per line; key names for the common fields are configurable.
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

/** The object on a line, or undefined when the line is not a JSON object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (text.charCodeAt(i) !== 123) return undefined; // not "{": skip the cost of a throwing JSON.parse
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function createJsonFormat(options: FieldNameOptions = {}): LineFormat {
  const mapper = new FieldMapper(options);
  const format: LineFormat = {
    name: "json",
    scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome {
      const object = parseJsonObject(text.slice(start, end));
      if (!object) return INVALID;
      mapper.hit(object, hit);
      return HIT;
    },
    scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
      return scanDecoded(format, buf, start, end, hit);
    },
    parse(line: string, out: ParsedLine): ScanOutcome {
      const object = parseJsonObject(line);
      if (!object) return INVALID;
      copyScalars(object, out.fields);
      out.time = mapper.apply(object, out.fields);
      return HIT;
    },
  };
  return format;
}
