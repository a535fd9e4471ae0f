// Secrets of a webhook URL (user:pass@, tokens in the path or the query) kept out of logs and dead letters.
import { MASK, maskUrl, PUBLIC_SEGMENT } from "../../config/mask.js";

/** Shorter path segments or query values (ids like "v2", "1") are not worth hiding and would mangle text. */
const MIN_SECRET_LENGTH = 6;

/** A URL as it may be shown: credentials, path past the API words and query hidden (the config printer's rule). */
export function redactUrl(url: string): string {
  return maskUrl(url);
}

/**
 * Hides a URL's secrets wherever they appear in a text (an error message quoting the URL, a server echoing its
 * token): the URL itself, then its password, user name, path segments and query values, each however encoded.
 */
export function redactSecrets(text: string, url: string): string {
  let out = text;
  for (const secret of urlSecrets(url)) {
    if (out.includes(secret)) out = out.split(secret).join(secret.includes("://") ? maskUrl(secret) : MASK);
  }
  return out;
}

/** The texts of a URL that must not be shown, longest first (a whole URL before the token inside it). */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const parts = [url, parsed.href, parsed.username, parsed.password];
  const segments = parsed.pathname.split("/").filter(Boolean);
  parts.push(...segments.filter((segment) => !PUBLIC_SEGMENT.test(segment)));
  for (const [, value] of parsed.searchParams) parts.push(value);
  const texts = new Set<string>();
  for (const part of parts) {
    if (part.length < MIN_SECRET_LENGTH) continue;
    texts.add(part);
    texts.add(safeDecode(part));
    texts.add(encodeURIComponent(safeDecode(part)));
  }
  return [...texts].filter((t) => t.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
