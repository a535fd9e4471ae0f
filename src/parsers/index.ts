// The parser registry: every log format, by name.
import type { ParserKind } from "../core/component.js";
import {
  autoParser,
  combinedParser,
  commonParser,
  customParser,
  jsonParser,
  logfmtParser,
  w3cCsvParser,
} from "./kinds.js";
import { dockerParser } from "./docker.js";
import { criParser } from "./cri.js";

export const parserKinds: ParserKind[] = [
  w3cCsvParser,
  commonParser,
  combinedParser,
  jsonParser,
  logfmtParser,
  autoParser,
  customParser,
  dockerParser,
  criParser,
];

export function findParserKind(type: string): ParserKind | undefined {
  return parserKinds.find((kind) => kind.type === type);
}
