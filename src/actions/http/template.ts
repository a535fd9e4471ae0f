// Body templates for the http action: {{events}}, {{message}}, {{count}} and the event's {{rule}}, {{source}},
// {{kind}} and {{state}}, filled JSON-safely.
import type { LogEvent } from "../../core/event.js";
import {
  checkPlaceholders,
  EVENT_PLACEHOLDERS,
  eventPlaceholders,
  fillPlaceholders,
  type EventPlaceholder,
} from "../delivery/template.js";

const KNOWN: readonly string[] = ["events", "message", "count", ...EVENT_PLACEHOLDERS];

export interface TemplateValues {
  /** The events as a JSON array (inserted as is). */
  events: string;
  /** The events as text for people (inserted JSON-escaped, without quotes: put it inside "..."). */
  message: string;
  count: number;
  /** The first event of the request: its rule, source, kind and state (inserted JSON-escaped, like message). */
  first?: LogEvent;
}

/** A problem with a template (an unknown placeholder), or undefined when it is fine. */
export function checkTemplate(template: string): string | undefined {
  return checkPlaceholders(template, KNOWN);
}

/** Fill the placeholders in one pass, so text inside a value is never read as a placeholder. */
export function renderTemplate(template: string, values: TemplateValues): string {
  const own = values.first ? eventPlaceholders(values.first) : undefined;
  return fillPlaceholders(template, (name) => {
    switch (name) {
      case "events":
        return values.events;
      case "message":
        return jsonInner(values.message);
      case "count":
        return String(values.count);
      default:
        return own && name in own ? jsonInner(own[name as EventPlaceholder]) : undefined;
    }
  });
}

function jsonInner(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
