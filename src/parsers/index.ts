// The parser registry: every log format, by name.
import type { ParserKind } from "../core/component.js";
import { autoParser, combinedParser, commonParser, jsonParser, logfmtParser, w3cCsvParser } from "./kinds.js";

export const parserKinds: ParserKind[] = [
  w3cCsvParser,
  commonParser,
  combinedParser,
  jsonParser,
  logfmtParser,
  autoParser,
];

export function findParserKind(type: string): ParserKind | undefined {
  return parserKinds.find((kind) => kind.type === type);
}
