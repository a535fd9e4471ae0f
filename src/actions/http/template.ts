// Body templates for the http action: {{events}}, {{message}} and {{count}}, filled JSON-safely.

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;
const KNOWN = new Set(["events", "message", "count"]);

export interface TemplateValues {
  /** The events as a JSON array (inserted as is). */
  events: string;
  /** The events as text for people (inserted JSON-escaped, without quotes: put it inside "..."). */
  message: string;
  count: number;
}

/** A problem with a template (an unknown placeholder), or undefined when it is fine. */
export function checkTemplate(template: string): string | undefined {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] as string;
    if (!KNOWN.has(name)) return `unknown placeholder {{${name}}} (use {{events}}, {{message}} or {{count}})`;
  }
  return undefined;
}

/** Fill the placeholders in one pass, so text inside a value is never read as a placeholder. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case "events":
        return values.events;
      case "message":
        return JSON.stringify(values.message).slice(1, -1);
      case "count":
        return String(values.count);
      default:
        return whole;
    }
  });
}
