// The `auto` format: sniffs the first lines against each access format, then sticks to the one that fits.
import { INVALID, type LineFormat, type RequestHit, type ParsedLine, type ScanOutcome } from "./access.js";
import { createClfFormat } from "./clf.js";
import type { FieldNameOptions } from "./fieldmap.js";
import { createJsonFormat } from "./json.js";
import { createLogfmtFormat } from "./logfmt.js";
import { createW3cCsvFormat } from "./w3c-csv.js";

export interface AutoFormat extends LineFormat {
  /** The chosen format, undefined while no line has matched any. */
  readonly detected: string | undefined;
}

/**
 * Candidates in order of how specific they are: logfmt accepts almost anything with an "=", so it
 * comes last. Apache/nginx lines use the lenient common scanner, which also reads referer and agent,
 * so a log that mixes both kinds of line keeps parsing.
 */
function candidates(options: FieldNameOptions): LineFormat[] {
  return [createW3cCsvFormat(), createClfFormat(false), createJsonFormat(options), createLogfmtFormat(options)];
}

export function createAutoFormat(options: FieldNameOptions = {}): AutoFormat {
  let chosen: LineFormat | undefined;
  let detected: string | undefined;
  const all = candidates(options);
  const clf = all[1] as ReturnType<typeof createClfFormat>;

  /** Try each candidate on a line; the first that accepts it (a CSV header counts) is kept for good. */
  const sniff = (attempt: (format: LineFormat) => ScanOutcome): ScanOutcome => {
    for (const format of all) {
      const outcome = attempt(format);
      if (outcome === INVALID) continue;
      chosen = format;
      detected = format === clf ? (clf.scanner.extras ? "combined" : "common") : format.name;
      return outcome;
    }
    return INVALID;
  };

  return {
    get name() {
      return detected ?? "auto";
    },
    get detected() {
      return detected;
    },
    scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome {
      if (chosen) return chosen.scan(text, start, end, hit);
      return sniff((format) => format.scan(text, start, end, hit));
    },
    scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
      if (chosen) return chosen.scanBytes(buf, start, end, hit);
      const line = buf.toString("utf8", start, end);
      return sniff((format) => format.scan(line, 0, line.length, hit));
    },
    parse(line: string, out: ParsedLine): ScanOutcome {
      if (chosen) return chosen.parse(line, out);
      return sniff((format) => format.parse(line, out));
    },
  };
}
