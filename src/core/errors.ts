// Errors with a stable code and a cause; UserError marks a user's mistake (printed without a stack).

export type ErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_NOT_FOUND"
  | "CONFIG_PARSE"
  | "USAGE"
  | "PATTERN_INVALID"
  | "PATTERN_TOO_SLOW"
  | "PATTERN_BUSY"
  | "PATTERN_UNSUPPORTED"
  | "DURATION_INVALID"
  | "SIZE_INVALID"
  | "SOURCE_FAILED"
  | "ACTION_FAILED"
  | "DELIVERY_FAILED"
  | "CHECKPOINT_FAILED"
  | "ROTATE_FAILED"
  | "ROTATE_UNSAFE_DIR"
  | "ROTATE_LOCK_INVALID"
  | "WEB_FAILED"
  | "INTERNAL";

export class LogwardError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LogwardError";
    this.code = code;
  }
}

/** A mistake in the user's input (flags, config, pattern): reported as a message, exit code 2. */
export class UserError extends LogwardError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "UserError";
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** A short description of any thrown value, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
