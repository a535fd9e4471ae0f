// Which bound on V8's new space a process gets from LOGWARD_YOUNG_GENERATION_MB and the flags it was started with.
import { describe, expect, it } from "vitest";
import { DEFAULT_YOUNG_GENERATION_MB, youngGenerationCap } from "./young-generation.js";

const MB = 2 ** 20;

/** A process as youngGenerationCap sees it; what it writes to stderr is kept. */
function proc(env: NodeJS.ProcessEnv, execArgv: string[] = []) {
  const written: string[] = [];
  const stderr = { write: (text: string) => written.push(text) };
  return { env, execArgv, stderr, written };
}

describe("youngGenerationCap", () => {
  it("is the default, or LOGWARD_YOUNG_GENERATION_MB in MB, and nothing for 0", () => {
    expect(youngGenerationCap(proc({}))).toBe(DEFAULT_YOUNG_GENERATION_MB * MB);
    expect(youngGenerationCap(proc({ LOGWARD_YOUNG_GENERATION_MB: "16" }))).toBe(16 * MB);
    expect(youngGenerationCap(proc({ LOGWARD_YOUNG_GENERATION_MB: " 12.5 " }))).toBe(12.5 * MB);
    expect(youngGenerationCap(proc({ LOGWARD_YOUNG_GENERATION_MB: "" }))).toBe(DEFAULT_YOUNG_GENERATION_MB * MB);
    expect(youngGenerationCap(proc({ LOGWARD_YOUNG_GENERATION_MB: "0" }))).toBeUndefined();
    expect(youngGenerationCap(proc({ LOGWARD_YOUNG_GENERATION_MB: "0.0" }))).toBeUndefined();
  });

  it("says so once for a value that is not a number of MB, and uses the default", () => {
    for (const value of ["-4", "8MB", "1e3", "off", "NaN", "Infinity"]) {
      const p = proc({ LOGWARD_YOUNG_GENERATION_MB: value });
      expect(youngGenerationCap(p)).toBe(DEFAULT_YOUNG_GENERATION_MB * MB);
      expect(p.written).toEqual([
        `logward: LOGWARD_YOUNG_GENERATION_MB=${value} is not a number of MB; using ${DEFAULT_YOUNG_GENERATION_MB}\n`,
      ]);
    }
  });

  it("leaves V8 alone when the user sized new space, in execArgv or NODE_OPTIONS, with - or _", () => {
    const sized = [
      "--max-semi-space-size=32",
      "--max_semi_space_size=32",
      "--min-semi-space-size=4",
      "--semi-space-growth-factor=3",
      "--semi_space_growth_factor=1",
    ];
    for (const flag of sized) {
      expect(youngGenerationCap(proc({ LOGWARD_YOUNG_GENERATION_MB: "8" }, [flag]))).toBeUndefined();
      expect(youngGenerationCap(proc({ NODE_OPTIONS: `--enable-source-maps ${flag}` }))).toBeUndefined();
    }
    // Other heap flags are not a sizing of new space.
    expect(youngGenerationCap(proc({ NODE_OPTIONS: "--max-old-space-size=512" }, ["--expose-gc"]))).toBe(8 * MB);
  });
});
