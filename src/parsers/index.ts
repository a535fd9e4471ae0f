// The parser registry: every log format, by name.
import type { ParserKind } from "../core/component.js";
import { autoParser } from "./auto.js";
import { combinedParser, commonParser } from "./clf.js";
import { jsonParser } from "./json.js";
import { logfmtParser } from "./logfmt.js";
import { w3cCsvParser } from "./w3c-csv.js";

export const parserKinds: ParserKind[] = [w3cCsvParser, commonParser, combinedParser, jsonParser, logfmtParser, autoParser];

export function findParserKind(type: string): ParserKind | undefined {
  return parserKinds.find((kind) => kind.type === type);
}
