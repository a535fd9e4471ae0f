// Apache/nginx timestamps "21/Nov/2026:04:15:00 +0000", parsed by hand and cached per distinct second.
import { detach } from "./access.js";

export const CLF_TIME_LENGTH = 26;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_INDEX = new Map(MONTHS.map((name, i) => [monthKey(name, 0), i]));
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Distinct strings kept besides the last one; out-of-order logs hop between a few seconds. */
const CACHE_LIMIT = 256;

function monthKey(text: string, at: number): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | text.charCodeAt(at + 2);
}

/** Two digits at text[at] as a number, or -1. */
function two(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Parse the 26 characters at text[at] without caching; NaN when they are not a valid timestamp. */
export function parseClfTime(text: string, at: number): number {
  if (text.charCodeAt(at + 2) !== 47 || text.charCodeAt(at + 6) !== 47 || text.charCodeAt(at + 11) !== 58) return NaN;
  if (text.charCodeAt(at + 14) !== 58 || text.charCodeAt(at + 17) !== 58 || text.charCodeAt(at + 20) !== 32) return NaN;
  const day = two(text, at);
  const month = MONTH_INDEX.get(monthKey(text, at + 3));
  const year = two(text, at + 7) * 100 + two(text, at + 9);
  const hour = two(text, at + 12);
  const minute = two(text, at + 15);
  const second = two(text, at + 18);
  const sign = text.charCodeAt(at + 21);
  const zoneHours = two(text, at + 22);
  const zoneMinutes = two(text, at + 24);
  if (month === undefined || two(text, at + 7) < 0 || two(text, at + 9) < 0) return NaN;
  if (day < 1 || day > daysIn(month, year) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  if ((sign !== 43 && sign !== 45) || zoneHours < 0 || zoneHours > 23 || zoneMinutes < 0 || zoneMinutes > 59) return NaN;
  const offset = (zoneHours * 60 + zoneMinutes) * 60_000 * (sign === 45 ? -1 : 1);
  return Date.UTC(year, month, day, hour, minute, second) - offset;
}

function daysIn(month: number, year: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month] ?? 0;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * Whether text holds `last` at `at`. The seconds come first (where consecutive timestamps differ),
 * then the rest of the date and time, the zone (which almost never differs) last.
 */
function sameAt(text: string, at: number, last: string): boolean {
  for (let i = 19; i >= 0; i--) if (text.charCodeAt(at + i) !== last.charCodeAt(i)) return false;
  for (let i = 20; i < CLF_TIME_LENGTH; i++) if (text.charCodeAt(at + i) !== last.charCodeAt(i)) return false;
  return true;
}

/**
 * A per-parser cache: the last two timestamp strings are compared in place (no allocation: logs are
 * mostly in order, so most lines share their second with the previous one, and a line a second or
 * two late usually comes back to the second before it), then a bounded map of recent ones.
 */
export class ClfTimeCache {
  private lastText = "";
  private lastTime = NaN;
  private previousText = "";
  private previousTime = NaN;
  private readonly recent = new Map<string, number>();

  /** The time of the timestamp at text[at, at + 26), NaN when invalid; the caller checked the length. */
  parse(text: string, at: number): number {
    if (this.lastText !== "" && sameAt(text, at, this.lastText)) return this.lastTime;
    if (this.previousText !== "" && sameAt(text, at, this.previousText)) return this.remember(this.previousText, this.previousTime);
    const key = detach(text.slice(at, at + CLF_TIME_LENGTH));
    let time = this.recent.get(key);
    if (time === undefined) {
      time = parseClfTime(text, at);
      if (this.recent.size >= CACHE_LIMIT) this.recent.clear();
      this.recent.set(key, time);
    }
    return this.remember(key, time);
  }

  /** Make key the last one seen, the last one the previous. */
  private remember(key: string, time: number): number {
    this.previousText = this.lastText;
    this.previousTime = this.lastTime;
    this.lastText = key;
    this.lastTime = time;
    return time;
  }
}
