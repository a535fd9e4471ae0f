// Which growth of V8's old generation a process gets from LOGWARD_OLD_GENERATION_GROWTH_PERCENT and its own flags.
import { describe, expect, it } from "vitest";
import { DEFAULT_OLD_GENERATION_GROWTH_PERCENT, oldGenerationGrowth } from "./old-generation.js";

/** A process as oldGenerationGrowth sees it; what it writes to stderr is kept. */
function proc(env: NodeJS.ProcessEnv, execArgv: string[] = []) {
  const written: string[] = [];
  const stderr = { write: (text: string) => written.push(text) };
  return { env, execArgv, stderr, written };
}

const ENV = "LOGWARD_OLD_GENERATION_GROWTH_PERCENT";

describe("oldGenerationGrowth", () => {
  it("is the default, or the variable's whole percent, and nothing for 0", () => {
    expect(oldGenerationGrowth(proc({}))).toBe(DEFAULT_OLD_GENERATION_GROWTH_PERCENT);
    expect(oldGenerationGrowth(proc({ [ENV]: "100" }))).toBe(100);
    expect(oldGenerationGrowth(proc({ [ENV]: " 30.4 " }))).toBe(30);
    expect(oldGenerationGrowth(proc({ [ENV]: "" }))).toBe(DEFAULT_OLD_GENERATION_GROWTH_PERCENT);
    expect(oldGenerationGrowth(proc({ [ENV]: "0" }))).toBeUndefined();
    expect(oldGenerationGrowth(proc({ [ENV]: "0.2" }))).toBeUndefined();
  });

  it("says so once for a value that is not a number, and uses the default", () => {
    for (const value of ["-4", "50%", "1e3", "off"]) {
      const p = proc({ [ENV]: value });
      expect(oldGenerationGrowth(p)).toBe(DEFAULT_OLD_GENERATION_GROWTH_PERCENT);
      expect(p.written).toEqual([
        `logward: ${ENV}=${value} is not a number of %; using ${DEFAULT_OLD_GENERATION_GROWTH_PERCENT}\n`,
      ]);
    }
  });

  it("leaves V8 alone when the user set its growth, in execArgv or NODE_OPTIONS, with - or _", () => {
    for (const flag of ["--heap-growing-percent=200", "--heap_growing_percent=10"]) {
      expect(oldGenerationGrowth(proc({ [ENV]: "50" }, [flag]))).toBeUndefined();
      expect(oldGenerationGrowth(proc({ NODE_OPTIONS: `--enable-source-maps ${flag}` }))).toBeUndefined();
    }
    // Other heap flags are not the growth.
    expect(oldGenerationGrowth(proc({ NODE_OPTIONS: "--max-old-space-size=512" }, ["--expose-gc"]))).toBe(
      DEFAULT_OLD_GENERATION_GROWTH_PERCENT,
    );
  });
});
