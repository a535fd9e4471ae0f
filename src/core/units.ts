// Durations ("250ms", "2m", bare seconds) and sizes ("512KiB", "10MB", bare bytes).
import { UserError } from "./errors.js";

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1000,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** Parse a duration into milliseconds; a bare number is seconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw new UserError("DURATION_INVALID", `invalid duration ${input}`);
    return Math.round(input * 1000);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(input);
  if (!m || m[1] === undefined) {
    throw new UserError(
      "DURATION_INVALID",
      `invalid duration "${input}" (use 250ms, 10s, 2m, 1h, 7d or a number of seconds)`,
    );
  }
  const unit = (m[2] ?? "s").toLowerCase();
  return Math.round(Number(m[1]) * (DURATION_UNITS[unit] ?? 1000));
}

/** Parse a size into bytes; a bare number is bytes. */
export function parseSize(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw new UserError("SIZE_INVALID", `invalid size ${input}`);
    return Math.floor(input);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const factor = m ? SIZE_UNITS[(m[2] || "b").toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw new UserError("SIZE_INVALID", `invalid size "${input}" (use 512KiB, 10MB, 1GiB or a number of bytes)`);
  }
  return Math.floor(Number(m[1]) * factor);
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
