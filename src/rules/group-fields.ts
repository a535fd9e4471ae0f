// Rules grouping by a field nothing can set: none of their lines has a key, so they never fire (`check` says so).
import type { FieldNames } from "../core/component.js";
import { parsePattern } from "../core/pattern.js";
import { kindOf, registeredKinds, type ConfigKinds } from "../config/kinds.js";
import type { Config, SourceConfig } from "../config/types.js";

/**
 * One hint per group_by field of a rule that neither a named group of its patterns nor any of its sources (with
 * its parser) can set. A source or parser that may set any field (json, the journal, NATS) sets every name.
 */
export function unsettableGroupFields(config: Config, kinds: ConfigKinds = registeredKinds): string[] {
  const hints: string[] = [];
  for (const [name, rule] of Object.entries(config.rules)) {
    if (!rule.group_by?.length) continue;
    const groups = new Set((rule.match ?? []).flatMap(namedGroups));
    const sources = rule.source.map((source) => config.sources[source]);
    for (const field of rule.group_by) {
      if (groups.has(field) || sources.some((source) => !source || mayHave(fieldsOf(source, kinds), field))) continue;
      const by = rule.source.map((source) => describe(source, config.sources[source])).join(", ");
      hints.push(
        `rule ${name} groups by "${field}", which neither a named group of its match nor ${by} sets: ` +
          `its lines have no key, so it never fires`,
      );
    }
  }
  return hints;
}

/** The named groups of a pattern: a regex that also matches the empty string shows every group name on "". */
function namedGroups(text: string): string[] {
  const { regex } = parsePattern(text);
  if (!regex) return [];
  const flags = regex.flags.replace(/[gy]/g, "");
  return Object.keys(new RegExp(`${regex.source}|`, flags).exec("")?.groups ?? {});
}

/** The source's own fields and its parser's; undefined when either may set any. */
function fieldsOf(source: SourceConfig, kinds: ConfigKinds): FieldNames {
  const own = kindOf(kinds.sources, source.type)?.fieldsOf?.(source);
  if (!own) return undefined;
  if (!source.parser) return own;
  const parsed = kindOf(kinds.parsers, source.parser.type)?.fieldsOf?.(source.parser);
  return parsed ? [...own, ...parsed] : undefined;
}

function mayHave(fields: FieldNames, field: string): boolean {
  if (!fields) return true;
  return fields.some((name) => (name.endsWith("*") ? field.startsWith(name.slice(0, -1)) : name === field));
}

function describe(name: string, source: SourceConfig | undefined): string {
  const parser = source?.parser ? `, parser ${source.parser.type}` : ", no parser";
  return `source ${name} (${source?.type ?? "?"}${parser})`;
}
