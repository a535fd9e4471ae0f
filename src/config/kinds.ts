// The component kinds a config may name: the registries, unless a caller (a test) passes lists of its own.
import { actionKinds } from "../actions/index.js";
import type { ActionKind, ParserKind, SourceKind } from "../core/component.js";
import { parserKinds } from "../parsers/index.js";
import { sourceKinds } from "../sources/index.js";

export interface ConfigKinds {
  sources: readonly SourceKind[];
  actions: readonly ActionKind[];
  parsers: readonly ParserKind[];
}

/** The registries themselves (not copies): a kind registered later is known at the next validation. */
export const registeredKinds: ConfigKinds = { sources: sourceKinds, actions: actionKinds, parsers: parserKinds };

/** The kind of a list with this config `type`. */
export function kindOf<K extends { type: string }>(kinds: readonly K[], type: string): K | undefined {
  return kinds.find((kind) => kind.type === type);
}
