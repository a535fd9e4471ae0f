// makeDirs: creates every missing level, accepts what exists, and fails (never hangs) where no folder can be made.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeDirs, makeDirsSync } from "./mkdirs.js";

describe("makeDirs", () => {
  it("creates every missing level, with the mode, and is a no-op the second time", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "logward-mkdirs-"));
    const deep = path.join(root, "a", "b", "c");
    await makeDirs(deep, 0o750);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(root, "a")).mode & 0o777).toBe(0o750 & ~process.umask());
    await makeDirs(deep);
    makeDirsSync(path.join(deep, "d"));
    expect(fs.statSync(path.join(deep, "d")).isDirectory()).toBe(true);
    fs.rmSync(root, { recursive: true });
  });

  it.skipIf(!fs.existsSync("/proc/self"))("fails on /proc, where Node's recursive mkdir never returns", async () => {
    await expect(makeDirs("/proc/logward-nope/state")).rejects.toMatchObject({ code: "ENOENT" });
    expect(() => makeDirsSync("/proc/logward-nope/state")).toThrow(/ENOENT/);
  });

  it("a file in the way is an error naming it", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "logward-mkdirs-"));
    fs.writeFileSync(path.join(root, "file"), "");
    await expect(makeDirs(path.join(root, "file", "sub"))).rejects.toMatchObject({ code: "ENOTDIR" });
    fs.rmSync(root, { recursive: true });
  });
});
