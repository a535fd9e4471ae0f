// Chat messages (Discord, Slack): event lines packed into as few messages as the length limit allows.
import type { LogEvent } from "../../core/event.js";
import type { Part } from "./batcher.js";
import { formatEvent } from "./format.js";
import { escapeFences, splitText } from "./text.js";

export interface ChatOptions {
  /** Longest message content, in UTF-16 units (what JavaScript's length counts; never less than code points). */
  limit: number;
  /** Escaping of log text, one character at a time (Slack's &, <, >). */
  escapeChar?: (char: string) => string;
  /** Wrap each message in ``` and keep lines from closing the fence. */
  codeBlock: boolean;
  /** A line put first in every message (a mention). */
  prefix?: string;
}

const FENCE_OPEN = "```\n";
const FENCE_CLOSE = "\n```";
/** Chat services refuse an empty or all-blank message; a zero-width space keeps a blank log line deliverable. */
const BLANK = "\u200b";

/** Room for log text in one message, once the fence and prefix are counted. */
function bodyLimit(options: ChatOptions): number {
  const fence = options.codeBlock ? FENCE_OPEN.length + FENCE_CLOSE.length : 0;
  const prefix = options.prefix ? options.prefix.length + 1 : 0;
  return Math.max(16, options.limit - fence - prefix);
}

/**
 * Capacity for the batcher: each part costs its length plus one for the newline that joins it to the
 * next, and the last part has no newline, so a message holds parts whose sizes sum to body + 1.
 */
export function chatCapacity(options: ChatOptions): number {
  return bodyLimit(options) + 1;
}

/** An event as message parts: its lines, escaped, a line longer than a message split across several. */
export function chatParts(event: LogEvent, options: ChatOptions): Part<string>[] {
  const max = bodyLimit(options);
  const parts: Part<string>[] = [];
  for (const line of formatEvent(event)) {
    const safe = options.codeBlock ? escapeFences(line) : line;
    for (const chunk of splitText(safe, max, options.escapeChar)) {
      parts.push({ value: chunk, size: chunk.length + 1, bytes: Buffer.byteLength(chunk) });
    }
  }
  return parts;
}

/** The message text for parts the batcher packed together. */
export function chatContent(parts: string[], options: ChatOptions): string {
  let body = parts.join("\n");
  if (options.codeBlock) body = FENCE_OPEN + body + FENCE_CLOSE;
  else if (body.trim() === "") body = BLANK;
  return options.prefix ? `${options.prefix}\n${body}` : body;
}
