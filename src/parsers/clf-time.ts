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
  if (
    day < 1 ||
    day > daysIn(month, year) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return NaN;
  if ((sign !== 43 && sign !== 45) || zoneHours < 0 || zoneHours > 23 || zoneMinutes < 0 || zoneMinutes > 59)
    return NaN;
  const offset = (zoneHours * 60 + zoneMinutes) * 60_000 * (sign === 45 ? -1 : 1);
  return Date.UTC(year, month, day, hour, minute, second) - offset;
}

function daysIn(month: number, year: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month] ?? 0;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * Whether text holds the character codes `last` at `at` (an empty `last` never matches). The codes
 * live in a typed array: charCodeAt on the flat chunk text against array loads is about twice as
 * fast as comparing with a kept string (a sliced one, whose every charCodeAt is indirect) or
 * startsWith. Seconds come first, where consecutive timestamps differ; the zone, which almost
 * never does, last.
 */
function sameAt(text: string, at: number, last: Uint8Array): boolean {
  for (let i = 19; i >= 0; i--) if (text.charCodeAt(at + i) !== last[i]) return false;
  for (let i = 20; i < CLF_TIME_LENGTH; i++) if (text.charCodeAt(at + i) !== last[i]) return false;
  return true;
}

/** The same for bytes: a byte b is the character with code b (latin1), which is how the cache stores codes. */
function sameBytesAt(buf: Uint8Array, at: number, last: Uint8Array): boolean {
  for (let i = 19; i >= 0; i--) if (buf[at + i] !== last[i]) return false;
  for (let i = 20; i < CLF_TIME_LENGTH; i++) if (buf[at + i] !== last[i]) return false;
  return true;
}

/** Six little-endian 32-bit words and a 16-bit one of 26 codes, for a compare in seven steps. */
const WORDS = 7;

function toWords(codes: Uint8Array, words: Int32Array): void {
  for (let w = 0; w < 6; w++)
    words[w] = codes[4 * w]! | (codes[4 * w + 1]! << 8) | (codes[4 * w + 2]! << 16) | (codes[4 * w + 3]! << 24);
  words[6] = codes[24]! | (codes[25]! << 8);
}

/** Whether the 26 bytes at `at` are the timestamp held as `words` (seconds first, as sameAt). */
function sameWordsAt(view: DataView, at: number, words: Int32Array): boolean {
  return (
    view.getInt32(at + 16, true) === words[4] &&
    view.getInt32(at + 12, true) === words[3] &&
    view.getInt32(at, true) === words[0] &&
    view.getInt32(at + 4, true) === words[1] &&
    view.getInt32(at + 8, true) === words[2] &&
    view.getInt32(at + 20, true) === words[5] &&
    view.getUint16(at + 24, true) === words[6]
  );
}

/**
 * A per-parser cache: the last two timestamps are compared in place (no allocation: logs are
 * mostly in order, so most lines share their second with the previous one, and a line a second or
 * two late usually comes back to the second before it), then a bounded map of recent ones.
 */
export class ClfTimeCache {
  /** Character codes of the last and previous timestamps; all 0 (an invalid one, NaN) until set. */
  private lastCodes = new Uint8Array(CLF_TIME_LENGTH);
  private previousCodes = new Uint8Array(CLF_TIME_LENGTH);
  /** The time of the last timestamp parsed (NaN when it was invalid). */
  lastTime = NaN;
  private previousTime = NaN;
  private readonly recent = new Map<string, number>();
  /** lastCodes as words, and a view of the buffer parseBytes last read, to compare words instead of bytes. */
  private readonly lastWords = new Int32Array(WORDS);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | undefined;

  /** The time of the timestamp at text[at, at + 26), NaN when invalid; the caller checked the length. */
  parse(text: string, at: number): number {
    if (sameAt(text, at, this.lastCodes)) return this.lastTime;
    if (sameAt(text, at, this.previousCodes)) {
      const codes = this.previousCodes;
      this.previousCodes = this.lastCodes;
      this.lastCodes = codes;
      const time = this.previousTime;
      this.previousTime = this.lastTime;
      toWords(codes, this.lastWords);
      return (this.lastTime = time);
    }
    const key = text.slice(at, at + CLF_TIME_LENGTH);
    let time = this.recent.get(key);
    if (time === undefined) {
      time = parseClfTime(text, at);
      if (this.recent.size >= CACHE_LIMIT) this.recent.clear();
      this.recent.set(detach(key), time);
    }
    this.remember(text, at, time);
    return time;
  }

  /**
   * parse for the UTF-8 bytes of a timestamp: whether it is valid, its time being `lastTime` (a
   * field, not a return value: a returned double is a new heap number for every line). Any byte
   * outside ASCII makes a timestamp invalid, as any character outside ASCII does in text, so
   * reading the bytes as latin1 gives the same time.
   */
  parseBytes(buf: Buffer, at: number): boolean {
    if (buf !== this.viewOf) {
      this.viewOf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    if (!sameWordsAt(this.view, at, this.lastWords)) this.missBytes(buf, at);
    return this.lastTime === this.lastTime;
  }

  private missBytes(buf: Buffer, at: number): void {
    if (sameBytesAt(buf, at, this.previousCodes)) {
      const codes = this.previousCodes;
      this.previousCodes = this.lastCodes;
      this.lastCodes = codes;
      const time = this.previousTime;
      this.previousTime = this.lastTime;
      this.lastTime = time;
      toWords(codes, this.lastWords);
      return;
    }
    const key = buf.toString("latin1", at, at + CLF_TIME_LENGTH);
    let time = this.recent.get(key);
    if (time === undefined) {
      time = parseClfTime(key, 0);
      if (this.recent.size >= CACHE_LIMIT) this.recent.clear();
      this.recent.set(key, time);
    }
    this.remember(key, 0, time);
  }

  /** Make the timestamp at text[at] the last one seen, the last one the previous. */
  private remember(text: string, at: number, time: number): void {
    const codes = this.previousCodes;
    // A code above 255 cannot be stored and is kept as 0: either makes the timestamp invalid, so a
    // text matching the entry through a 0 (a NUL there) is invalid too and gets the same NaN.
    for (let i = 0; i < CLF_TIME_LENGTH; i++) {
      const code = text.charCodeAt(at + i);
      codes[i] = code > 255 ? 0 : code;
    }
    this.previousCodes = this.lastCodes;
    this.previousTime = this.lastTime;
    this.lastCodes = codes;
    this.lastTime = time;
    toWords(codes, this.lastWords);
  }
}
