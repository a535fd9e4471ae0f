// The parser registry: every log format, by name.
import type { ParserKind } from "../core/component.js";

export const parserKinds: ParserKind[] = [];

export function findParserKind(type: string): ParserKind | undefined {
  return parserKinds.find((kind) => kind.type === type);
}
