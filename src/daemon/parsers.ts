// Applies each source's configured parser to its records before rules and stats see them.
import type { Parser } from "../core/component.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import { NO_FIELDS, type LogRecord } from "../core/record.js";
import type { ParserRef } from "../config/types.js";
import { findParserKind } from "../parsers/index.js";
import { UserError } from "../core/errors.js";

export type RecordParser = (records: LogRecord[]) => void;

/** A function that parses a batch in place; invalid lines stay in the batch (rules still see them) and are counted. */
export function createRecordParser(
  source: string,
  ref: ParserRef | undefined,
  logger: Logger,
  metrics: Metrics,
): RecordParser | undefined {
  if (!ref) return undefined;
  const kind = findParserKind(ref.type);
  if (!kind) throw new UserError("CONFIG_INVALID", `source ${source}: unknown parser "${ref.type}"`);
  const { type: _type, ...options } = ref;
  const parser: Parser = kind.create(options, { logger: logger.child({ parser: ref.type }) });
  const invalid = metrics.counter("parser_invalid_lines_total", "Lines a source's parser could not parse", ["source"]);
  return (records) => {
    let bad = 0;
    for (const record of records) {
      // Parsers fill the record's fields in place: its own object, not the shared empty one.
      if (record.fields === NO_FIELDS) record.fields = {};
      if (!parser.parse(record)) bad++;
    }
    if (bad > 0) invalid.inc({ source }, bad);
  };
}
