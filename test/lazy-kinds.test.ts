// A start-up loads the implementations of the kinds its config names and no other (the built CLI, a real run), and
// the registry's lazy entries refuse to build before they are loaded and load only what they are asked for.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lazyKind, loadKinds } from "../src/config/lazy-kind.js";
import { readLines, runLogward, startLogward, tempDir, waitFor } from "./helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** Run `run --once` on the config; the Node built-ins the process loaded, as process.moduleLoadList names them. */
async function builtinsLoadedBy(actions: Record<string, unknown>): Promise<string[]> {
  const log = join(dir, "app.log");
  writeFileSync(log, "boot\nerror one\n");
  const config = join(dir, "logward.json");
  writeFileSync(
    config,
    JSON.stringify({
      state_dir: join(dir, "state"),
      sources: { app: { path: log, start_at: "beginning" } },
      rules: { errors: { source: "app", match: "error", actions: ["out"] } },
      actions: { out: { type: "file", path: join(dir, "out.ndjson") }, ...actions },
    }),
  );
  const list = join(dir, "builtins.txt");
  const preload = join(dir, "preload.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, ` +
      `process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13)).join("\\n")));`,
  );
  const env = { NODE_OPTIONS: `--require ${preload}`, XDG_CACHE_HOME: join(dir, "cache") };
  const result = await runLogward(["run", "--once", "-c", config], { env });
  expect(result.code, result.stderr).toBe(0);
  // The configured file action was loaded and ran: the match is there.
  expect(readLines(join(dir, "out.ndjson")).map((l) => (JSON.parse(l) as { line: string }).line)).toEqual([
    "error one",
  ]);
  return readFileSync(list, "utf8").split("\n");
}

describe("kinds load when a config names them", () => {
  it("a config without an email action never loads TLS; one with it does", async () => {
    expect(await builtinsLoadedBy({})).not.toContain("tls");
    const email = { type: "email", smtp: "smtp://127.0.0.1:1", from: "logward@example.org", to: "ops@example.org" };
    expect(await builtinsLoadedBy({ mail: email })).toContain("tls");
  });

  it("a lazy entry refuses create() before load, and loadKinds loads only the types named", async () => {
    const imported: string[] = [];
    const kindOf = (type: string) =>
      lazyKind(type, z.strictObject({}), async () => {
        imported.push(type);
        return { type, schema: z.strictObject({}), create: () => `${type} instance` };
      });
    const kinds = [kindOf("a"), kindOf("b"), kindOf("c")];
    expect(() => kinds[0]!.create({}, {})).toThrow(/not loaded/);
    await loadKinds(kinds, ["a", "c", "a", "unknown"]);
    await loadKinds(kinds, ["a"]);
    expect(imported).toEqual(["a", "c"]);
    expect(kinds[0]!.create({}, {})).toBe("a instance");
    expect(() => kinds[1]!.create({}, {})).toThrow(/not loaded/);
  });

  it("a SIGHUP reload loads the kinds the new config names before building them", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    const config = join(dir, "logward.json");
    const write = (actions: Record<string, unknown>) =>
      writeFileSync(
        config,
        JSON.stringify({
          state_dir: join(dir, "state"),
          sources: { app: { path: log } },
          rules: { errors: { source: "app", match: "error", actions: Object.keys(actions) } },
          actions,
        }),
      );
    write({ out: { type: "file", path: join(dir, "out.ndjson") } });
    const r = startLogward(["run", "-c", config], { env: { XDG_CACHE_HOME: join(dir, "cache") } });
    await r.waitForLog("logward running");
    // console was not loaded at start (nothing named it): the reload must load it, not fail to build it.
    write({ out: { type: "file", path: join(dir, "out.ndjson") }, shown: { type: "console", format: "json" } });
    r.child.kill("SIGHUP");
    await r.waitForLog("configuration reloaded");
    appendFileSync(log, "error after reload\n");
    await waitFor(() => r.stdout().includes('"line":"error after reload"'), "the console action's output");
    await waitFor(() => readLines(join(dir, "out.ndjson")).length === 1, "the file action's event");
    expect(r.logs().filter((l) => l.msg === "new configuration rejected; keeping the running one")).toEqual([]);
    expect(await r.stop("SIGTERM")).toBe(0);
  });
});
