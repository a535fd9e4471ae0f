// The access formats as parser kinds (a config schema and a factory each), for the parser registry.
import type { z } from "zod";
import type { FieldNames, ParserKind } from "../core/component.js";
import { HIT, type LineFormat, type ParsedLine } from "./access.js";
import { createAutoFormat } from "./auto.js";
import { CLF_FIELDS, COMBINED_FIELDS, createClfFormat } from "./clf.js";
import { createJsonFormat } from "./json.js";
import { createLogfmtFormat } from "./logfmt.js";
import { customFormatOptions, fieldNameOptions, noOptions } from "./schema.js";
import { createCustomFormat } from "./access-format-scan.js";
import { createW3cCsvFormat } from "./w3c-csv.js";

/**
 * Wrap an LineFormat factory as a ParserKind (one format instance per parser, so auto sniffs per source), with the
 * fields it sets when they are known whatever the line (not json's).
 */
export function accessParserKind<C>(
  type: string,
  schema: z.ZodType<C>,
  make: (config: C) => LineFormat,
  fields?: FieldNames,
): ParserKind<C> {
  return {
    type,
    schema,
    ...(fields ? { fieldsOf: () => fields } : {}),
    create(config) {
      const format = make(config);
      const out: ParsedLine = { fields: {}, time: NaN };
      return {
        parse(record) {
          out.fields = record.fields;
          out.time = NaN;
          if (format.parse(record.line, out) !== HIT) return false;
          if (Number.isFinite(out.time)) record.time = out.time;
          return true;
        },
      };
    },
  };
}

export const w3cCsvParser = accessParserKind("w3c-csv", noOptions, () => createW3cCsvFormat(), CLF_FIELDS);
export const commonParser = accessParserKind("common", noOptions, () => createClfFormat(false), CLF_FIELDS);
export const combinedParser = accessParserKind("combined", noOptions, () => createClfFormat(true), COMBINED_FIELDS);
export const jsonParser = accessParserKind("json", fieldNameOptions, (options) => createJsonFormat(options));
export const logfmtParser = accessParserKind("logfmt", fieldNameOptions, (options) => createLogfmtFormat(options));
export const autoParser = accessParserKind("auto", fieldNameOptions, (options) => createAutoFormat(options));
export const customParser = accessParserKind("custom", customFormatOptions, (options) =>
  createCustomFormat(options.access_format),
);
