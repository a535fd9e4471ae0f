// End to end in Chromium: the all-sources view (tags, colours, filter, a flood), the panel fed by /api/events with no
// polling, and the history a restarted server shows. Saves the README's all-sources screenshot on request.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FakeClock } from "../src/core/clock.js";
import type { LogEvent } from "../src/core/event.js";
import { silentLogger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import { openWebHistory } from "../src/web/history.js";
import { createWebHub } from "../src/web/hub.js";
import { startWebServer } from "../src/web/server.js";
import { tempDir } from "./helpers.js";
import {
  CHROMIUM,
  connState,
  haveChromium,
  launchChromium,
  logTexts,
  openPage,
  waitForLine,
} from "./web-browser-support.js";
import { pushDemoTraffic, record, startTestServer, waitFor, type TestServer } from "./web-support.js";

// The README's picture is refreshed on request only, so a test run leaves the work tree clean.
const SCREENSHOT = path.resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOT ? "../docs/web-all-sources.png" : "../test-results/web-all-sources.png",
);
const T0 = Date.UTC(2026, 11, 7, 4, 0, 0);

if (!haveChromium && process.env.CI === "true") {
  test("chromium is installed (required in CI)", () => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  });
}

function alert(kind: LogEvent["kind"], message: string, time: number): LogEvent {
  return {
    kind,
    rule: "web-traffic",
    source: "nginx",
    time,
    records: [],
    fields: {},
    count: 1,
    suppressed: 0,
    message,
  };
}

/** Each row's source tag and text, in order. */
const taggedRows = (page: Page): Promise<[string, string][]> =>
  page.$$eval("#log .line:not(.marker)", (rows) =>
    rows.map((row) => [row.querySelector(".src")?.textContent ?? "", row.querySelector(".text")?.textContent ?? ""]),
  );

describe.skipIf(!haveChromium)(
  `web UI, all sources and pushed events, in Chromium${haveChromium ? "" : ` (skipped: ${CHROMIUM} not installed)`}`,
  () => {
    let browser: Browser;
    const servers: TestServer[] = [];
    const cleanups: (() => void)[] = [];

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      for (const s of servers) await s.close().catch(() => {});
      for (const c of cleanups) c();
    });

    async function serve(config: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
      const s = await startTestServer({ auth: "token", ...config });
      s.hub.addSource("nginx", { type: "file", path: "/var/log/nginx/access.log" });
      s.hub.addSource("postgres", { type: "journald" });
      servers.push(s);
      return s;
    }

    test("several sources: all of them at first, each line tagged with its source in its colour; filter and pick one", async () => {
      const s = await serve();
      s.hub.pushRecords([record("INFO app started", "app"), record("GET /health 200", "nginx")]);
      const { page, errors } = await openPage(browser, s.server.openUrl);
      await waitFor(async () => (await logTexts(page)).length === 2, "the history of every source");
      expect(await page.inputValue("#source")).toBe("*");
      expect(await page.$$eval("#source option", (os) => os.map((o) => o.textContent))).toEqual([
        "all sources (3)",
        "app — /var/log/app.log",
        "nginx — /var/log/nginx/access.log",
        "postgres",
      ]);
      s.hub.pushRecords([record("ERROR deadlock detected", "postgres")]);
      s.hub.pushRecords([record("ERROR upstream timed out", "nginx"), record("WARN slow", "nginx")]);
      await waitForLine(page, "WARN slow");
      expect(await taggedRows(page)).toEqual([
        ["app", "INFO app started"],
        ["nginx", "GET /health 200"],
        ["postgres", "ERROR deadlock detected"],
        ["nginx", "ERROR upstream timed out"],
        ["nginx", "WARN slow"],
      ]);
      // One colour per source, the same on every line of that source.
      const classes = await page.$$eval("#log .src", (tags) => tags.map((t) => t.className));
      expect(classes).toEqual(["src src-0", "src src-1", "src src-2", "src src-1", "src src-1"]);
      const colours = await page.$$eval("#log .src", (tags) => tags.map((t) => getComputedStyle(t).backgroundColor));
      expect(new Set(colours).size).toBe(3);

      // The filter works across sources, as for one.
      await page.fill("#filter", "ERROR");
      await page.press("#filter", "Enter");
      await waitFor(async () => (await logTexts(page)).length === 2, "the filtered lines");
      expect(await taggedRows(page)).toEqual([
        ["postgres", "ERROR deadlock detected"],
        ["nginx", "ERROR upstream timed out"],
      ]);
      expect(page.url()).toContain("#source=*&match=ERROR");
      s.hub.pushRecords([record("ERROR disk full", "app"), record("INFO fine", "app")]);
      await waitForLine(page, "ERROR disk full");
      expect((await taggedRows(page)).at(-1)).toEqual(["app", "ERROR disk full"]);

      // One source: its lines only, untagged.
      await page.fill("#filter", "");
      await page.press("#filter", "Enter");
      await page.selectOption("#source", "nginx");
      await waitFor(async () => (await logTexts(page)).length === 3, "nginx's lines");
      expect(await taggedRows(page)).toEqual([
        ["", "GET /health 200"],
        ["", "ERROR upstream timed out"],
        ["", "WARN slow"],
      ]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("a flood from three sources at once (50k lines in about a second) keeps the page bounded, live and in order", async () => {
      const s = await serve({ client_buffer: 64 * 1024 * 1024 }); // room for the whole flood: nothing may be dropped
      const { page, errors } = await openPage(browser, s.server.openUrl);
      await waitFor(async () => (await connState(page)) === "live", "the stream");
      const names = ["app", "nginx", "postgres"];
      const total = 50_000;
      for (let n = 0; n < total;) {
        const source = names[(n / 500) % 3] as string;
        s.hub.pushRecords(Array.from({ length: 500 }, () => record(`INFO ${++n} GET /api/user/42 200 12ms`, source)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const counters = () => page.$eval("#status", (el) => ({ ...(el as HTMLElement).dataset }));
      await waitFor(async () => (await counters()).lastN === String(total), "the last line received", 60_000);
      expect(await counters()).toEqual({ received: String(total), lastN: String(total) });
      await waitFor(
        async () => (await logTexts(page)).at(-1)?.startsWith(`INFO ${total} `),
        "the last line shown",
        30_000,
      );
      const rows = await taggedRows(page);
      expect(rows.length).toBeLessThanOrEqual(1000);
      // The rows shown are consecutive lines, each tagged with the source it came from.
      const numbers = rows.map(([, text]) => Number(/^INFO (\d+) /.exec(text)?.[1]));
      expect(numbers).toEqual(Array.from({ length: rows.length }, (_, i) => total - rows.length + 1 + i));
      for (const [tag, text] of rows)
        expect(tag).toBe(names[Math.floor((Number(/^INFO (\d+)/.exec(text)?.[1]) - 1) / 500) % 3]);
      await page.evaluate(
        () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
      );
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("the chart and the alerts come pushed by /api/events: a report, an alert and its recovery show without polling", async () => {
      const s = await serve();
      const { page, errors, requests } = await openPage(browser, `${s.server.openUrl}#source=app`);
      await waitFor(async () => (await connState(page)) === "live", "the stream");
      expect(await page.isHidden("#side")).toBe(true);
      for (let i = 0; i < 6; i++)
        s.hub.pushStats("web-traffic", {
          from: T0 + i * 10_000,
          to: T0 + (i + 1) * 10_000,
          hits: 40 + i,
          rate: 4 + i / 10,
          threshold: 10,
        });
      await waitFor(() => page.isVisible("#chart canvas"), "the chart");
      await waitFor(
        async () => /^4\.50 req\/s · 45 hits/.test((await page.textContent("#traffic-now")) ?? ""),
        "the newest report",
      );
      s.hub.pushAlert(alert("alert", "High traffic generated an alert - hits = 1432", T0 + 60_000));
      await waitFor(async () => (await page.locator("#alert-list li").count()) === 1, "the alert");
      s.hub.pushAlert(alert("recovery", "Recovered from high traffic", T0 + 90_000));
      await waitFor(async () => (await page.locator("#alert-list li").count()) === 2, "the recovery");
      expect(await page.locator("#alert-list li").first().getAttribute("class")).toBe("alert kind-recovery");
      expect(requests.filter((r) => r.startsWith("/api/stats") || r.startsWith("/api/alerts"))).toEqual([]);
      expect(requests.filter((r) => r.startsWith("/api/events"))).toEqual(["/api/events"]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("after a restart the page shows the reports and alerts from before it (kept in state_dir)", async () => {
      const { dir, cleanup } = tempDir("logward-web-browser-history-");
      cleanups.push(cleanup);
      const run = async (work: (hub: ReturnType<typeof createWebHub>, url: string) => Promise<void>) => {
        const hub = createWebHub({ clock: new FakeClock(T0 + 3_600_000) });
        hub.addSource("access", { type: "file", path: "/var/log/nginx/access.log" });
        hub.addSource("app", { type: "file", path: "/var/log/myapp/app.log" });
        const history = await openWebHistory({
          dir,
          hub,
          clock: new FakeClock(T0 + 3_600_000),
          logger: silentLogger,
          maxAgeMs: 86_400_000,
        });
        const server = await startWebServer(
          { listen: "127.0.0.1:0" },
          { hub, metrics: new Metrics(), logger: silentLogger, env: {} },
        );
        try {
          await work(hub, server.openUrl);
        } finally {
          await server.close();
          await history.close();
        }
      };
      await run(async (hub) => {
        const sections = [
          { name: "/api", hits: 412 },
          { name: "/static", hits: 133 },
          { name: "/login", hits: 58 },
        ];
        pushDemoTraffic(hub, T0, sections);
        hub.pushAlert(
          alert("alert", "High traffic generated an alert - hits = 1432, triggered at 04:06:30", T0 + 390_000),
        );
        hub.pushAlert(alert("recovery", "Recovered from high traffic at 04:08:20", T0 + 500_000));
        await Promise.resolve();
      });
      await run(async (hub, url) => {
        for (const line of sampleLines()) hub.pushRecords([line]); // one batch a line, as sources interleave
        const { page, errors } = await openPage(browser, url);
        await waitFor(async () => (await page.locator("#alert-list li").count()) === 2, "the alerts from before");
        await waitFor(() => page.isVisible("#chart canvas"), "the chart from before");
        expect(await page.locator("#sections tbody td").first().textContent()).toBe("/api");
        await waitFor(async () => (await logTexts(page)).length === sampleLines().length, "the sample lines");
        expect(await page.inputValue("#source")).toBe("*");
        expect(errors).toEqual([]);
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
        expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
        await page.context().close();
      });
    });
  },
);

/** Lines of an nginx access log and an application, interleaved as they would come. */
function sampleLines() {
  let second = 0;
  const access = (path: string, status: number, ms: number) => {
    const stamp = `07/Dec/2026:04:10:${String(++second * 3).padStart(2, "0")} +0000`;
    return `203.0.113.9 - - [${stamp}] "GET ${path} HTTP/1.1" ${status} 512 ${ms}ms`;
  };
  const lines: [string, string][] = [
    ["app", "INFO  myapp starting, version 2.4.1"],
    ["access", access("/api/user/7", 200, 9)],
    ["app", "INFO  listening on :8080"],
    ["access", access("/static/app.css", 200, 1)],
    ["access", access("/api/orders?page=2", 200, 48)],
    ["app", "WARN  slow query: SELECT * FROM orders WHERE status = 'open' (1834ms)"],
    ["access", access("/login", 302, 31)],
    ["app", "ERROR authentication failure for user admin from 203.0.113.9"],
    ["access", access("/api/user/42", 500, 12)],
    ["app", "ERROR java.lang.OutOfMemoryError: Java heap space"],
    ["app", "INFO  restarted by logward (rule restart-on-oom)"],
    ["access", access("/api/user/42", 200, 12)],
    ["app", "DEBUG cache hit ratio 0.93"],
    ["access", access("/api/orders?page=3", 200, 41)],
  ];
  return lines.map(([source, line], i) => record(line, source, T0 + 600_000 + i * 1000));
}
