// Placeholders shared by the templates of every action (http body_template, email subject): {{name}} filled in one
// pass, and what an event says about itself: {{rule}}, {{source}}, {{kind}}, {{state}}.
import type { LogEvent } from "../../core/event.js";

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** The placeholders every template knows, from the (first) event it is about. */
export const EVENT_PLACEHOLDERS = ["rule", "source", "kind", "state"] as const;

export type EventPlaceholder = (typeof EVENT_PLACEHOLDERS)[number];

/**
 * What an event says about itself: `kind` is match, threshold, absence or traffic (a stats alert or its recovery),
 * `state` firing or recovered, so trigger/resolve pairs (PagerDuty's) can be built.
 */
export function eventPlaceholders(event: LogEvent): Record<EventPlaceholder, string> {
  const traffic = event.kind === "alert" || event.kind === "recovery";
  const recovered = event.state === "recovered" || event.kind === "recovery";
  return {
    rule: event.rule,
    source: event.source,
    kind: traffic ? "traffic" : event.kind,
    state: recovered ? "recovered" : "firing",
  };
}

/** A problem with a template (an unknown placeholder), or undefined when it is fine. */
export function checkPlaceholders(template: string, known: readonly string[]): string | undefined {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] as string;
    if (!known.includes(name))
      return `unknown placeholder {{${name}}} (use ${known.map((k) => `{{${k}}}`).join(", ")})`;
  }
  return undefined;
}

/** Fill the placeholders in one pass, so text inside a value is never read as a placeholder. */
export function fillPlaceholders(template: string, value: (name: string) => string | undefined): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => value(name) ?? whole);
}
