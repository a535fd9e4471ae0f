// The npm package as a user gets it: the tarball holds only what runs, installs with `npm install -g --prefix`, and
// its bin works; a checkout installs with `npm ci --omit=dev` (no dev tools, so no build, and no failure).
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runLogward, tempDir } from "./helpers.js";

const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd, timeout: 180_000 });

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Installing needs the registry (or npm's cache): without either, skip locally and fail under CI. */
const offline = (err: unknown): boolean => /ENOTFOUND|EAI_AGAIN|ENOTCACHED|ECONNREFUSED|ETIMEDOUT/.test(String(err));

describe("npm package", () => {
  const tmp = tempDir();
  let tarball = "";
  beforeAll(async () => {
    // The bundle is built by `npm run build` before end-to-end tests; prepare would only build it again.
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp.dir], {
      cwd: ROOT,
    });
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(tmp.dir, info?.filename ?? "");
    writeFileSync(join(tmp.dir, "files.json"), JSON.stringify(info?.files.map((f) => f.path).sort()));
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it("ships only what runs: bin, the bundle, the web UI, README and LICENSE", () => {
    const files = JSON.parse(readFileSync(join(tmp.dir, "files.json"), "utf8")) as string[];
    const unexpected = files.filter(
      (f) =>
        !/^(bin\/(logward|logs2eca|start\.cjs)|dist\/bundle\/logward\.cjs|src\/web\/ui\/[^/]+|README\.md|LICENSE|package\.json)$/.test(
          f,
        ),
    );
    expect(unexpected).toEqual([]);
    for (const needed of [
      "bin/logward",
      "bin/start.cjs",
      "dist/bundle/logward.cjs",
      "src/web/ui/index.html",
      "LICENSE",
    ])
      expect(files).toContain(needed);
  });

  it("lists as runtime dependencies exactly what the bundle leaves outside it", () => {
    const bundle = readFileSync(join(ROOT, "dist", "bundle", "logward.cjs"), "utf8");
    const required = new Set(
      [...bundle.matchAll(/(?:\brequire|\.resolve)\("([^".][^"]*)"\)/g)]
        .map((m) => m[1] as string)
        .filter((name) => !name.startsWith("node:"))
        .map((name) => (name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : (name.split("/")[0] as string)))
        .filter((name) => name in pkg.dependencies || name in pkg.devDependencies),
    );
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...required].sort());
  });

  it("installs with npm install -g --prefix and its logward runs --version and run --once", async (ctx) => {
    const prefix = join(tmp.dir, "prefix");
    try {
      await npm(["install", "-g", "--prefix", prefix, tarball], tmp.dir);
    } catch (err) {
      if (offline(err) && process.env.CI !== "true") return ctx.skip(`no npm registry: ${String(err).slice(0, 200)}`);
      throw err;
    }
    const bin = join(prefix, "lib", "node_modules", "logward", "bin", "logward");
    expect(existsSync(join(prefix, "bin", "logward"))).toBe(true);
    const version = await runLogward(["--version"], { bin: join(prefix, "bin", "logward") });
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });

    const work = join(tmp.dir, "work");
    mkdirSync(work);
    writeFileSync(join(work, "app.log"), "ok\nERROR disk full\nok\n");
    writeFileSync(
      join(work, "logward.yaml"),
      [
        "state_dir: state",
        "sources: { app: { path: app.log, start_at: beginning } }",
        "rules: { errors: { source: app, match: ERROR, actions: [out] } }",
        "actions: { out: { type: file, path: out.jsonl } }",
      ].join("\n"),
    );
    const once = await runLogward(["run", "--once"], { bin, cwd: work, env: { XDG_CACHE_HOME: join(tmp.dir, "c") } });
    expect(once.stderr).not.toMatch(/\n\s+at /);
    expect(once.code).toBe(0);
    expect(readFileSync(join(work, "out.jsonl"), "utf8")).toContain("ERROR disk full");
  }, 240_000);

  it("installs a checkout with npm ci --omit=dev: no dev tools, so the build is skipped, not failed", async (ctx) => {
    const checkout = join(tmp.dir, "checkout");
    mkdirSync(checkout);
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, file), join(checkout, file));
    cpSync(join(ROOT, "scripts"), join(checkout, "scripts"), { recursive: true });
    cpSync(join(ROOT, "bin"), join(checkout, "bin"), { recursive: true });
    let result: { stdout: string; stderr: string };
    try {
      result = await npm(["ci", "--omit=dev"], checkout);
    } catch (err) {
      if (offline(err) && process.env.CI !== "true") return ctx.skip(`no npm registry: ${String(err).slice(0, 200)}`);
      throw err;
    }
    expect(result.stderr).toContain("not building (dev tools missing");
    expect(existsSync(join(checkout, "node_modules", "fastify"))).toBe(true);
    expect(existsSync(join(checkout, "node_modules", "typescript"))).toBe(false);
  }, 240_000);
});
