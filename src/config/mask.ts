// Hide secrets when a config is printed: webhook paths, credentials in URLs, tokens, header values.

const SECRET_KEY = /token|secret|password|passwd|api_?key|auth|credential|cookie|private/i;
/** Maps whose every value may be a secret (`Authorization: Bearer ...`, env of a command). */
const SECRET_MAPS = new Set(["headers", "env"]);
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Leading path segments known to name an API rather than a secret; everything after is hidden. */
export const PUBLIC_SEGMENT = /^(?:api|webhooks?|services|hooks?|v\d{1,2})$/;

export const MASK = "***";

/** A copy of value with secrets replaced, given the key it sits under. */
export function maskValue(key: string, value: unknown): unknown {
  if (value === undefined || value === null || value === "") return value;
  if (SECRET_KEY.test(key) && !isObject(value)) return MASK;
  if (Array.isArray(value)) return value.map((item) => maskValue(key, item));
  if (isObject(value)) {
    const secretMap = SECRET_MAPS.has(key);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretMap ? MASK : maskValue(k, v)]));
  }
  if (typeof value === "string" && URL_LIKE.test(value)) return maskUrl(value);
  return value;
}

/**
 * `https://discord.com/api/webhooks/123/abc` → `https://discord.com/api/webhooks/…`: keep the scheme,
 * host and leading well-known API words of the path; hide credentials, the rest of the path (ids,
 * tokens, secret topic names) and the query.
 */
export function maskUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return MASK;
  }
  const credentials = url.username || url.password ? "…@" : "";
  const segments = url.pathname.split("/").filter(Boolean);
  const kept: string[] = [];
  for (const segment of segments) {
    if (!PUBLIC_SEGMENT.test(segment)) break;
    kept.push(segment);
  }
  const cut = kept.length < segments.length || url.search !== "" || url.hash !== "";
  const pathText = kept.length ? `/${kept.join("/")}` : "";
  return `${url.protocol}//${credentials}${url.host}${pathText}${cut ? "/…" : ""}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
