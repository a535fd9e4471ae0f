import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, parseSize } from "./units.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["10s", 10_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["7d", 604_800_000],
    ["3", 3000],
    ["1.5s", 1500],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it("reads a bare number as seconds", () => expect(parseDuration(30)).toBe(30_000));

  it.each(["", "10x", "-1s", "s", "1 minute"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  it("formats back", () =>
    expect([120_000, 250, 86_400_000, 1500].map(formatDuration)).toEqual(["2m", "250ms", "1d", "1500ms"]));
});

describe("parseSize", () => {
  it.each([
    ["512KiB", 524_288],
    ["10MB", 10_000_000],
    ["1GiB", 1_073_741_824],
    ["100", 100],
    ["1.5KiB", 1536],
  ])("%s is %d bytes", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(["10XB", "", "MB"])("rejects %j", (text) => expect(() => parseSize(text)).toThrow(/invalid size/));
});
