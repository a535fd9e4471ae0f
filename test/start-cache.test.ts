// bin/start.cjs against a copy of the built package: the code cache per command, written once, survives garbage.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../src/cli/main.js";
import { ROOT, runLogward, tempDir } from "./helpers.js";

const startCjs = createRequire(import.meta.url)("../bin/start.cjs") as { OPTIONS_WITH_VALUE: Set<string> };

/** A package folder of its own (bin/, dist/bundle/, package.json), so its cache folder is this test's alone. */
function packageCopy(dir: string): { bin: string; cacheDir: string } {
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist", "bundle"), { recursive: true });
  for (const file of ["bin/logward", "bin/start.cjs", "dist/bundle/logward.cjs", "package.json"])
    copyFileSync(join(ROOT, file), join(dir, file));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { bin: join(dir, "bin", "logward"), cacheDir: join(dir, "dist", "bundle", "cache") };
}

const cacheFiles = (cacheDir: string): string[] => readdirSync(cacheDir).sort();

describe("bin/start.cjs code cache", () => {
  const tmp = tempDir();
  let pkg: { bin: string; cacheDir: string };
  beforeAll(() => (pkg = packageCopy(tmp.dir)));
  afterAll(() => tmp.cleanup());

  it("writes one cache per command on first use and then keeps it", async () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    const first = await runLogward(["--version"], { bin: pkg.bin });
    expect(first.stdout.trim()).toBe(version);
    const [other] = cacheFiles(pkg.cacheDir);
    expect(other).toMatch(
      new RegExp(`^logward-other-[0-9a-f]{16}-${process.version.replaceAll(".", "\\.")}-${process.arch}\\.v8$`),
    );
    const written = statSync(join(pkg.cacheDir, other as string));
    expect(written.size).toBeGreaterThan(1000);

    const again = await runLogward(["--version"], { bin: pkg.bin });
    expect(again.stdout.trim()).toBe(version);
    // A cache V8 accepted is not written again.
    expect(statSync(join(pkg.cacheDir, other as string)).mtimeMs).toBe(written.mtimeMs);

    const check = await runLogward(
      ["--log-format", "json", "--log-level=warn", "check", "-c", join(tmp.dir, "missing.yaml")],
      { bin: pkg.bin },
    );
    expect(check.code).toBe(2);
    expect(cacheFiles(pkg.cacheDir).filter((f) => f.startsWith("logward-check-"))).toHaveLength(1);
    expect(cacheFiles(pkg.cacheDir).some((f) => f.startsWith("logward-json-"))).toBe(false);
  });

  it("knows every option before the command that takes a value (they are skipped to find the command)", () => {
    const withValue = buildProgram()
      .options.filter((option) => option.required || option.optional)
      .map((option) => option.long);
    expect([...(startCjs.OPTIONS_WITH_VALUE as Set<string>)].sort()).toEqual(withValue.sort());
  });

  it("replaces a cache V8 rejects, and runs the same meanwhile", async () => {
    await runLogward(["--version"], { bin: pkg.bin });
    const [file] = cacheFiles(pkg.cacheDir).filter((f) => f.startsWith("logward-other-"));
    const path = join(pkg.cacheDir, file as string);
    writeFileSync(path, "not a code cache");
    const run = await runLogward(["--version"], { bin: pkg.bin });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(statSync(path).size).toBeGreaterThan(1000);
    expect(cacheFiles(pkg.cacheDir).some((f) => f.endsWith(".tmp"))).toBe(false);
  });

  it("runs without a cache where it cannot write one", async () => {
    const other = tempDir();
    try {
      const copy = packageCopy(other.dir);
      writeFileSync(copy.cacheDir, "a file where the cache folder would go");
      const run = await runLogward(["--version"], { bin: copy.bin });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      expect(readFileSync(copy.cacheDir, "utf8")).toBe("a file where the cache folder would go");
    } finally {
      other.cleanup();
    }
  });
});
