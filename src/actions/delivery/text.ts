// Text helpers for chat messages: split long text without breaking characters or escapes, fence-safe code blocks.

/**
 * Split text into chunks of at most max UTF-16 units after escaping. Cuts fall only between code
 * points, so a surrogate pair or an escape (Slack's "&amp;") is never broken across two messages.
 */
export function splitText(text: string, max: number, escape: (char: string) => string = identity): string[] {
  const limit = Math.max(2, Math.floor(max)); // room for one surrogate pair
  if (escape === identity && text.length <= limit) return [text];
  const chunks: string[] = [];
  let current = "";
  for (const char of text) {
    const piece = escape(char);
    if (current.length + piece.length > limit && current.length > 0) {
      chunks.push(current);
      current = "";
    }
    current += piece;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

function identity(char: string): string {
  return char;
}

/** Keep a line from closing a ``` fence: a zero-width space after every backtick that another follows. */
export function escapeFences(line: string): string {
  return line.includes("``") ? line.replace(/`(?=`)/g, "`\u200b") : line;
}

/** Slack mrkdwn control characters (the only three Slack asks to escape). */
export function escapeSlackChar(char: string): string {
  switch (char) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    default:
      return char;
  }
}

export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, escapeSlackChar);
}
