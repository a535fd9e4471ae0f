// GET /api/search and the UI's search box: real archives on disk, bounded answers, hostile patterns and lines.
import fs from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import Fastify, { type FastifyInstance } from "fastify";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../src/core/clock.js";
import { silentLogger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import { PatternSandbox } from "../src/core/untrusted-pattern.js";
import { createWebHub, type WebHub } from "../src/web/hub.js";
import { registerSearchRoute, SEARCH_LIMITS, type SearchLimits } from "../src/web/search-route.js";
import { startWebServer, type WebServer } from "../src/web/server.js";
import { startLogward, tempDir, waitFor } from "./helpers.js";

let dir: string;
let cleanup: () => void;
const closers: (() => Promise<unknown>)[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir("logward-websearch-")));
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  cleanup();
});

const at = (name: string): string => join(dir, name);
const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join("");
const age = (name: string, secondsAgo: number): void => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(at(name), t, t);
};

interface Answer {
  lines: { time: string | null; source: string; file: string; line: string; rule: string }[];
  matches: number;
  scanned: number;
  files: { path: string; matches: number; error?: string }[];
  stopped?: string;
  message?: string;
}

/** The route alone on a fastify app, with limits a test can make small. */
async function routeApp(sources: Record<string, unknown>, limits: Partial<SearchLimits> = {}) {
  const hub = createWebHub({ clock: new FakeClock() });
  for (const name of Object.keys(sources)) hub.addSource(name, { type: "file" });
  const sandbox = new PatternSandbox({ budgetMs: 300 });
  const app: FastifyInstance = Fastify();
  registerSearchRoute(
    app,
    { hub, logger: silentLogger, sandbox, sourceConfig: (name) => sources[name] },
    { ...SEARCH_LIMITS, ...limits },
  );
  app.get("/healthz", async () => ({ ok: true }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  closers.push(async () => {
    await app.close();
    await sandbox.close();
  });
  const get = async (query: Record<string, string>): Promise<{ status: number; body: Answer }> => {
    const res = await fetch(`${url}/api/search?${new URLSearchParams(query)}`);
    return { status: res.status, body: (await res.json()) as Answer };
  };
  return { get, url };
}

describe("GET /api/search", () => {
  it("searches the source's archives and file oldest first, in the wire form, up to the limit", async () => {
    fs.writeFileSync(at("app.log.2.gz"), zlib.gzipSync(text(["a ERROR one", "a fine"])));
    fs.writeFileSync(at("app.log.1"), text(["b ERROR two"]));
    fs.writeFileSync(at("app.log"), text(["c ERROR three", "c fine"]));
    age("app.log.2.gz", 20);
    age("app.log.1", 10);
    const { get } = await routeApp({ app: { type: "file", path: [at("app.log")], max_line_bytes: 1 << 20 } });
    const all = await get({ source: "app", match: "ERROR" });
    expect(all.status).toBe(200);
    expect(all.body.lines.map((l) => l.line)).toEqual(["a ERROR one", "b ERROR two", "c ERROR three"]);
    expect(all.body.lines[0]).toMatchObject({ source: "app", file: at("app.log.2.gz"), rule: "search", time: null });
    const regex = await get({ source: "app", match: "/error (one|three)/i", limit: "1" });
    expect(regex.body.lines.map((l) => l.line)).toEqual(["a ERROR one"]);
    expect(regex.body.stopped).toBe("limit");
    expect((await get({ source: "app", match: "x", limit: "1001" })).status).toBe(400);
    expect((await get({ source: "nope", match: "x" })).status).toBe(404);
    expect((await get({ source: "app", match: "/(/" })).status).toBe(400);
    expect((await get({ source: "app", match: "x", since: "2h" })).status).toBe(400); // no parser: no time
  });

  it("time bounds by the source's parser", async () => {
    const line = (h: number): string => `10.0.0.1 - - [01/Dec/2026:${h}:00:00 +0000] "GET /p${h} HTTP/1.1" 200 1`;
    fs.writeFileSync(at("access.log"), text([line(10), line(11), line(12), line(13)]));
    const { get } = await routeApp({ web: { type: "file", path: [at("access.log")], parser: { type: "common" } } });
    const got = await get({
      source: "web",
      match: "GET",
      since: "2026-12-01T11:00:00Z",
      until: "2026-12-01T12:00:00Z",
    });
    expect(got.body.lines.map((l) => [l.line.slice(47, 51), l.time])).toEqual([
      ["/p11", "2026-12-01T11:00:00.000Z"],
      ["/p12", "2026-12-01T12:00:00.000Z"],
    ]);
  });

  it("stops at the bytes it may read, and says so", async () => {
    const block = "filler line without the word\n".repeat(4096);
    fs.writeFileSync(at("big.log"), block.repeat(100)); // about 12 MB
    const { get } = await routeApp({ big: { type: "file", path: [at("big.log")] } }, { maxScanBytes: 1 << 20 });
    const got = await get({ source: "big", match: "needle" });
    expect(got.status).toBe(200);
    expect(got.body.stopped).toBe("bytes");
    expect(got.body.scanned).toBeGreaterThanOrEqual(1 << 20);
    expect(got.body.scanned).toBeLessThan((1 << 20) + 128 * 1024);
    // Without that bound the whole file is read: nothing else (the answer's own stream) cuts a search short.
    const whole = await (
      await routeApp({ big: { type: "file", path: [at("big.log")] } })
    ).get({
      source: "big",
      match: "needle",
    });
    expect(whole.body.stopped).toBeUndefined();
    expect(whole.body.scanned).toBe(fs.statSync(at("big.log")).size);
  });

  it("a catastrophic pattern is stopped by the budget; a second search of the same client meanwhile is refused", async () => {
    fs.writeFileSync(at("app.log"), text(Array.from({ length: 200 }, () => `${"a".repeat(40)}!`)));
    const { get, url } = await routeApp({ app: { type: "file", path: [at("app.log")] } });
    const slow = get({ source: "app", match: "/(a+)+$/" });
    await waitFor(async () => (await get({ source: "app", match: "a" })).status === 429, "the second search refused");
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // the server answers meanwhile
    const answer = await slow;
    expect(answer.status).toBe(422);
    expect(answer.body.message).toMatch(/longer than 300 ms/);
    expect((await get({ source: "app", match: "a" })).status).toBe(200); // the slot was given back
  });

  it("does not read an archive that is a link planted beside the log (unless the source follows links)", async () => {
    fs.writeFileSync(at("secret"), "root:SECRET:0:0\n");
    fs.mkdirSync(at("logs"));
    fs.writeFileSync(at("logs/app.log"), "public line\n");
    fs.symlinkSync(at("secret"), at("logs/app.log.1"));
    const source = { type: "file", path: [at("logs/app.log")] };
    const { get } = await routeApp({ app: source, linked: { ...source, follow_symlinks: true } });
    expect((await get({ source: "app", match: "SECRET" })).body.lines).toEqual([]);
    expect((await get({ source: "linked", match: "SECRET" })).body.lines).toHaveLength(1);
  });
});

describe("GET /api/search in the daemon (the built CLI)", () => {
  it("searches with the source's config, and with its new config after a reload (SIGHUP)", async () => {
    const line = (h: number): string => `10.0.0.1 - - [01/Dec/2026:${h}:00:00 +0000] "GET /p${h} HTTP/1.1" 200 1`;
    fs.writeFileSync(at("access.log.1.gz"), zlib.gzipSync(text([line(10), line(11)])));
    fs.writeFileSync(at("access.log"), text([line(12)]));
    age("access.log.1.gz", 10);
    const config = (parser: string): string =>
      `state_dir: ${at("state")}\nweb: { listen: "127.0.0.1:0", auth: none }\n` +
      `sources:\n  web:\n    path: ${at("access.log")}\n${parser}`;
    fs.writeFileSync(at("logward.yaml"), config(""));
    const daemon = startLogward(["run", "-c", at("logward.yaml")]);
    closers.push(() => daemon.stop());
    const url = String((await daemon.waitForLog("web UI listening", 20_000)).url);
    const search = async (query: Record<string, string>) => {
      const res = await fetch(`${url}api/search?${new URLSearchParams({ source: "web", match: "GET", ...query })}`);
      return { status: res.status, body: (await res.json()) as Answer };
    };
    expect((await search({})).body.lines.map((l) => l.line.slice(47, 51))).toEqual(["/p10", "/p11", "/p12"]);
    const since = { since: "2026-12-01T11:00:00Z" };
    expect((await search(since)).status).toBe(400); // no parser yet: no time to bound by
    fs.writeFileSync(at("logward.yaml"), config("    parser: { type: common }\n"));
    daemon.child.kill("SIGHUP");
    await daemon.waitForLog("configuration reloaded", 20_000);
    const bounded = await search(since);
    expect(bounded.status).toBe(200);
    expect(bounded.body.lines.map((l) => l.time)).toEqual(["2026-12-01T11:00:00.000Z", "2026-12-01T12:00:00.000Z"]);
    expect((await fetch(`${url}report`)).status).toBe(404); // no stats job: no report
  }, 60_000);
});

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === "true") throw new Error(`${CHROMIUM} is required in CI`);

describe.skipIf(!haveChromium)(`the search box in Chromium${haveChromium ? "" : " (skipped: no chromium)"}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  });
  afterAll(async () => browser?.close());

  it("finds lines in the archives, shows hostile text as text, and says what went wrong", async () => {
    const hostile = `GET /<img src=x onerror="alert(document.domain)"> ERROR`;
    fs.writeFileSync(at("app.log.1.gz"), zlib.gzipSync(text(["old ERROR in the archive", hostile])));
    fs.writeFileSync(at("app.log"), text(["live ERROR now", "fine"]));
    age("app.log.1.gz", 10);
    const hub: WebHub = createWebHub({ clock: new FakeClock() });
    hub.addSource("app", { type: "file", path: at("app.log") });
    fs.writeFileSync(at("db.log"), text(["db ERROR too"]));
    hub.addSource("db", { type: "file", path: at("db.log") });
    const server: WebServer = await startWebServer(
      { listen: "127.0.0.1:0", auth: "token", token: "t0ken-for-the-search-test" },
      { hub, metrics: new Metrics(), logger: silentLogger, env: {} },
    );
    closers.push(() => server.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on("dialog", (d) => void (dialogs.push(d.message()), d.dismiss()));
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("console", (msg) => void (msg.type() === "error" && errors.push(msg.text())));
    await page.goto(`${server.url}?token=t0ken-for-the-search-test`);
    // Two sources: the page opens on all of them, and the search goes through each in turn, tagging its lines.
    await waitFor(async () => (await page.$eval("#source", (s) => (s as HTMLSelectElement).value)) === "*", "sources");
    const texts = (): Promise<string[]> =>
      page.$$eval("#search-results .line .text", (els) => els.map((e) => e.textContent ?? ""));
    const tags = (): Promise<string[]> =>
      page.$$eval("#search-results .line .muted", (els) => els.map((e) => e.textContent ?? ""));
    await page.fill("#search", "ERROR");
    await page.press("#search", "Enter");
    await waitFor(async () => (await texts()).length === 4, "four results from both sources");
    expect(await texts()).toEqual(["old ERROR in the archive", hostile, "live ERROR now", "db ERROR too"]);
    expect(await tags()).toEqual(["app app.log.1.gz ", "app app.log.1.gz ", "app app.log ", "db db.log "]);
    await page.selectOption("#source", "app");
    await page.press("#search", "Enter");
    await waitFor(async () => (await texts()).length === 3, "three results");
    expect(await texts()).toEqual(["old ERROR in the archive", hostile, "live ERROR now"]);
    expect(await page.$$("#search-panel img")).toHaveLength(0);
    expect(await page.textContent("#search-summary")).toMatch(/^3 matching lines in 2 files/);
    if (process.env.UPDATE_SCREENSHOT)
      await page.screenshot({ path: join(import.meta.dirname, "../docs/screenshot-search.png") });
    await page.fill("#search", "/(/");
    await page.press("#search", "Enter");
    await waitFor(async () => (await page.getAttribute("#search-summary", "class")) === "filter-error", "the error");
    expect(await page.textContent("#search-summary")).toMatch(/invalid regex/);
    expect(dialogs).toEqual([]);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  }, 60_000);
});
