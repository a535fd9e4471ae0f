// A registry entry whose config schema is at hand and whose implementation (its module and what that imports:
// SMTP and TLS, sockets, watchers) loads only when a config names its type, so a start-up pays for what it uses.
import type { z } from "zod";
import type { ComponentKind, FieldNames } from "../core/component.js";

/** A kind as the registries hold it: `create` works once `load()` has resolved. */
export type LazyKind<C, I, X> = ComponentKind<C, I, X> & { load(): Promise<void>; fieldsOf?(config: C): FieldNames };

/** `fieldsOf`: the fields the kind sets (see FieldNames), known without loading it (`check` does not). */
export function lazyKind<C, I, X>(
  type: string,
  schema: z.ZodType<C>,
  importKind: () => Promise<ComponentKind<C, I, X>>,
  fieldsOf?: (config: C) => FieldNames,
): LazyKind<C, I, X> {
  let loaded: ComponentKind<C, I, X> | undefined;
  let loading: Promise<void> | undefined;
  return {
    type,
    schema,
    ...(fieldsOf ? { fieldsOf } : {}),
    load() {
      loading ??= importKind().then((kind) => {
        loaded = kind;
      });
      return loading;
    },
    create(config, context) {
      // A programming error, not a user's: whoever builds components awaits the kinds its config names first.
      if (!loaded) throw new Error(`the ${type} kind is not loaded: await its registry's load before create()`);
      return loaded.create(config, context);
    },
  };
}

/** Load the kinds of `kinds` named in `types` (entries without `load` are already whole). */
export async function loadKinds(kinds: readonly { type: string }[], types: Iterable<string>): Promise<void> {
  const wanted = new Set(types);
  const loads: Promise<void>[] = [];
  for (const kind of kinds) if (wanted.has(kind.type) && hasLoad(kind)) loads.push(kind.load());
  await Promise.all(loads);
}

function hasLoad(kind: object): kind is { load(): Promise<void> } {
  return typeof (kind as { load?: unknown }).load === "function";
}
