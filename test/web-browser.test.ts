// End-to-end: the UI in Debian's Chromium (playwright-core) against a real server on 127.0.0.1.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { createWebHub } from "../src/web/hub.js";
import { startWebServer } from "../src/web/server.js";
import { FakeClock } from "../src/core/clock.js";
import { Metrics } from "../src/core/metrics.js";
import { silentLogger } from "../src/core/logger.js";
import type { LogRecord } from "../src/core/record.js";
import { pushDemoTraffic, record, startTestServer, waitFor, type TestServer } from "./web-support.js";
import {
  CHROMIUM,
  connState,
  haveChromium,
  launchChromium,
  logTexts,
  openPage as openPageIn,
  waitForLine,
} from "./web-browser-support.js";

// The README's picture is refreshed on request only, so a test run leaves the work tree clean.
const SCREENSHOT = path.resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOT ? "../docs/screenshot.png" : "../test-results/screenshot.png",
);

if (!haveChromium && process.env.CI === "true") {
  test("chromium is installed (required in CI)", () => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  });
}

describe.skipIf(!haveChromium)(
  `web UI in Chromium${haveChromium ? "" : ` (skipped: ${CHROMIUM} not installed)`}`,
  () => {
    let browser: Browser;
    const servers: TestServer[] = [];

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      for (const s of servers) await s.close().catch(() => {});
    });

    /** A server as a user gets it: a token made at start, which s.server.openUrl carries. */
    async function serve(config: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
      const s = await startTestServer({ auth: "token", ...config });
      servers.push(s);
      return s;
    }

    const openPage = (url: string) => openPageIn(browser, url);

    test("shows the history, then new lines live, coloured by level and with rule matches highlighted", async () => {
      const s = await serve();
      s.hub.pushRecords([record("INFO service started"), record("WARN disk 91% full")]);
      const { page, errors } = await openPage(s.server.openUrl);
      expect(s.server.tokenOrigin).toBe("generated");
      expect(page.url()).toBe(s.url); // the token made at start set the cookie and left the address bar
      await waitForLine(page, "WARN disk 91% full");
      expect(await connState(page)).toBe("live");

      const oom = record("ERROR java.lang.OutOfMemoryError: Java heap space");
      s.hub.pushRecords([oom], new Map([[oom, ["restart-on-oom"]]]));
      await waitForLine(page, oom.line);
      const row = page.locator("#log .line", { hasText: "OutOfMemoryError" });
      expect(await row.getAttribute("class")).toBe("line lvl-error hit");
      expect(await row.locator(".rules").textContent()).toBe("restart-on-oom");
      expect(await page.locator("#log .line", { hasText: "WARN disk" }).getAttribute("class")).toBe("line lvl-warn");
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("the filter box reconnects with a server-side pattern; pause holds lines and counts them", async () => {
      const s = await serve();
      s.hub.pushRecords([record("GET /api timeout 30s"), record("GET /health ok"), record("POST /api timeout 5s")]);
      const { page } = await openPage(s.server.openUrl);
      await waitForLine(page, "GET /health ok");

      await page.fill("#filter", "/timeout \\d+s/");
      await page.press("#filter", "Enter");
      await waitFor(async () => (await logTexts(page)).length === 2, "only the two matching lines");
      expect(await logTexts(page)).toEqual(["GET /api timeout 30s", "POST /api timeout 5s"]);
      expect(await page.locator("#log mark").allTextContents()).toEqual(["timeout 30s", "timeout 5s"]);
      s.hub.pushRecords([record("GET / ok"), record("GET /x timeout 7s")]);
      await waitForLine(page, "GET /x timeout 7s");
      expect(await logTexts(page)).not.toContain("GET / ok");

      await page.fill("#filter", "/(unclosed/");
      await page.press("#filter", "Enter");
      await waitFor(() => page.isVisible("#filter-error"), "the pattern error");
      expect(await page.textContent("#filter-error")).toContain("invalid regex");

      await page.click("#pause");
      s.hub.pushRecords([record("late timeout 1s"), record("later timeout 2s"), record("latest timeout 3s")]);
      await waitFor(async () => (await page.textContent("#new-lines")) === "3 new lines", "the new-lines counter");
      expect(await logTexts(page)).not.toContain("late timeout 1s");
      await page.click("#pause");
      await waitForLine(page, "latest timeout 3s");
      expect(await page.isHidden("#new-lines")).toBe(true);
      await page.context().close();
    });

    test("scrolling up stops following and counts new lines; the counter jumps back to the end", async () => {
      const s = await serve();
      s.hub.pushRecords(Array.from({ length: 300 }, (_, i) => record(`line ${i + 1}`)));
      const { page } = await openPage(s.server.openUrl);
      await waitForLine(page, "line 300");
      const distanceFromEnd = () => page.$eval("#log", (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      await waitFor(async () => (await distanceFromEnd()) < 2, "following the end");
      await page.mouse.move(400, 300);
      await page.mouse.wheel(0, -2000);
      await waitFor(async () => (await distanceFromEnd()) > 500, "the scroll");
      s.hub.pushRecords([record("new 1"), record("new 2")]);
      await waitFor(
        async () => (await page.textContent("#new-lines")) === "2 new lines" && page.isVisible("#new-lines"),
        "the counter",
      );
      expect(await distanceFromEnd()).toBeGreaterThan(500); // the reader's place is kept
      await page.click("#new-lines");
      await waitFor(async () => (await distanceFromEnd()) < 2 && page.isHidden("#new-lines"), "back at the end");
      s.hub.pushRecords([record("new 3")]);
      await waitForLine(page, "new 3");
      await waitFor(async () => (await distanceFromEnd()) < 2, "still following");
      await page.context().close();
    });

    test("log text that looks like HTML is shown as text and runs nothing", async () => {
      const s = await serve();
      const nasty = [
        `<img src=x onerror=alert(1)>`,
        `<script>window.__pwned = true; alert(2)</script>`,
        `"><svg onload=alert(3)><a href="javascript:alert(4)">x</a>`,
      ];
      const { page, dialogs, errors } = await openPage(s.server.openUrl);
      await waitFor(async () => (await connState(page)) === "live", "the stream");
      s.hub.pushRecords(nasty.map((line) => record(line)));
      await waitForLine(page, nasty[2] as string);
      expect(await logTexts(page)).toEqual(nasty);
      expect(await page.locator("#log img, #log script, #log svg, #log a").count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("a flood of lines keeps the DOM bounded and the page responsive; what the browser cannot take is reported", async () => {
      const s = await serve();
      const { page, errors } = await openPage(s.server.openUrl);
      await waitFor(async () => (await connState(page)) === "live", "the stream");
      const pad = " GET /api/user/42 200 12ms ".repeat(4);
      let n = 0;
      for (let batch = 0; batch < 40; batch++) {
        s.hub.pushRecords(Array.from({ length: 5000 }, () => record(`INFO ${++n}${pad}`)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Responsive: two animation frames still run while the flood is being drawn.
      await page.evaluate(
        () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
      );
      const last = async () => page.$$eval("#log .line", (els) => els[els.length - 1]?.textContent ?? "");
      await waitFor(
        async () => (await last()).startsWith(`INFO ${n} `) || /lines dropped/.test(await last()),
        "the end of the flood",
        60_000,
      );
      expect(await page.locator("#log .line:not(.marker)").count()).toBeLessThanOrEqual(5000);
      expect(await page.isHidden("#new-lines")).toBe(true); // still following: nobody scrolled
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("a burst of 20k lines: the page counts every one, ends on the last, and scrolling up draws the older kept lines in order", async () => {
      const s = await serve({ client_buffer: 64 * 1024 * 1024 }); // room for the whole burst: nothing may be dropped here
      const { page, errors } = await openPage(s.server.openUrl);
      await waitFor(async () => (await connState(page)) === "live", "the stream");
      const total = 20_000;
      let n = 0;
      while (n < total) {
        s.hub.pushRecords(Array.from({ length: 250 }, () => record(`INFO burst ${++n} GET /api/user/42 200`)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const counters = () => page.$eval("#status", (el) => ({ ...(el as HTMLElement).dataset }));
      await waitFor(async () => (await counters()).lastN === String(total), "the last line received", 60_000);
      expect(await counters()).toEqual({ received: String(total), lastN: String(total) });
      const numbers = async () => (await logTexts(page)).map((t) => Number(/burst (\d+) /.exec(t)?.[1]));
      await waitFor(async () => (await numbers()).at(-1) === total, "the last line shown", 30_000);
      expect(await page.textContent("#status")).toContain(`of ${total} received`);
      expect(await page.locator("#log .line").count()).toBeLessThanOrEqual(1000);
      expect(await page.locator("#log .marker").count()).toBe(0);

      // Scrolling up reaches back through the kept lines (the newest 5000), one unbroken run.
      await page.mouse.move(400, 300);
      await waitFor(
        async () => {
          await page.mouse.wheel(0, -5000);
          return (await numbers())[0] === total - 5000 + 1;
        },
        "the oldest kept line drawn",
        60_000,
      );
      const shown = await numbers();
      expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => total - 5000 + 1 + i));
      expect(errors).toEqual([]);
      await page.context().close();
    });

    test("a filter over its time budget stops the stream with a message; a cut line says so", async () => {
      const s = await serve({ pattern_budget: 100 });
      const hostile = Array.from({ length: 300 }, (_, i) => record(`${"a".repeat(30 + (i % 10))}!`));
      s.hub.pushRecords([...hostile, record(`long ${"z".repeat(70 * 1024)}`)]);
      const { page, errors } = await openPage(s.server.openUrl);
      await waitFor(async () => (await logTexts(page)).some((t) => t.startsWith("long ")), "the long line");
      const long = (await logTexts(page)).find((t) => t.startsWith("long ")) as string;
      expect(long).toMatch(/^long z+ … \[cut: the line has 71685 characters\]$/);

      await page.fill("#filter", "/(a+)+$/");
      await page.press("#filter", "Enter");
      await waitFor(async () => (await connState(page)) === "error", "the error state");
      expect((await page.locator("#log .marker").allTextContents()).join("\n")).toMatch(
        /stream stopped: pattern took longer than 100 ms/,
      );
      expect(errors.filter((e) => !/422/.test(e))).toEqual([]);
      await page.context().close();
    });

    test("the page reconnects after the server restarts on the same port", async () => {
      const first = await serve({ token: "same-token-after-restart" });
      const { page } = await openPage(`${first.url}?token=same-token-after-restart`);
      first.hub.pushRecords([record("before the restart")]);
      await waitForLine(page, "before the restart");
      const port = new URL(first.url).port;
      await first.close();
      await waitFor(async () => (await connState(page)) === "reconnecting", "the reconnecting state");

      const second = await serve({ listen: `127.0.0.1:${port}`, token: "same-token-after-restart" });
      second.hub.pushRecords([record("after the restart")]);
      await waitForLine(page, "after the restart");
      expect(await connState(page)).toBe("live");
      expect(await page.locator("#log .marker").allTextContents()).toContain("— reconnected to a restarted server —");
      second.hub.pushRecords([record("live again")]);
      await waitForLine(page, "live again");
      await page.context().close();
    });

    test("a ?token= link sets the session cookie and leaves the address bar clean", async () => {
      const s = await serve({ token: "s3cret-token" });
      s.hub.pushRecords([record("behind the token")]);
      const { page } = await openPage(`${s.url}?token=s3cret-token`);
      expect(page.url()).toBe(s.url);
      await waitForLine(page, "behind the token");
      const cookies = await page.context().cookies();
      expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([["logward_session", true, "Strict"]]);
      expect(cookies[0]?.value).not.toContain("s3cret");
      await page.context().close();

      const { page: stranger } = await openPage(s.url);
      expect(await stranger.textContent("body")).toContain("unauthorized");
      await stranger.context().close();
    });

    test("traffic chart, top sections and alerts; saves a screenshot (docs/screenshot.png with UPDATE_SCREENSHOT=1)", async () => {
      const hub = createWebHub({ clock: new FakeClock() });
      hub.addSource("access", { type: "file", path: "/var/log/nginx/access.log" });
      hub.addSource("app", { type: "file", path: "/var/log/myapp/app.log" });
      const server = await startWebServer(
        { listen: "127.0.0.1:0" },
        { hub, metrics: new Metrics(), logger: silentLogger, env: {} },
      );
      servers.push({ hub, metrics: new Metrics(), server, url: server.url, close: () => server.close() });
      const start = Date.UTC(2026, 10, 21, 4, 0, 0);
      const sections = [
        { name: "/api", hits: 412 },
        { name: "/static", hits: 133 },
        { name: "/login", hits: 58 },
        { name: "/", hits: 21 },
      ];
      pushDemoTraffic(hub, start, sections, { firing: false });
      hub.pushAlert({
        kind: "alert",
        rule: "web-traffic",
        source: "access",
        time: start + 420_000,
        records: [],
        fields: {},
        count: 1,
        suppressed: 0,
        message: "High traffic generated an alert - hits = 1432, triggered at 04:07:00",
      });
      hub.pushAlert({
        kind: "recovery",
        rule: "web-traffic",
        source: "access",
        time: start + 520_000,
        records: [],
        fields: {},
        count: 1,
        suppressed: 0,
        message: "Recovered from high traffic at 04:08:40",
      });
      hub.pushRecords(sampleLines(start), sampleMatches);

      const { page, errors } = await openPage(`${server.openUrl}#source=app`);
      await waitFor(async () => (await logTexts(page)).length === 21, "the sample lines");
      await waitFor(() => page.isVisible("#chart canvas"), "the uPlot chart");
      await waitFor(async () => (await page.locator("#alert-list li").count()) === 2, "two alerts");
      expect(await page.locator("#sections tbody td").first().textContent()).toBe("/api");
      expect(await page.textContent("#traffic-now")).toMatch(/^\d+\.\d\d req\/s · \d+ hits · alert above 10 req\/s$/);
      expect(errors).toEqual([]);
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
      await page.context().close();
    });
  },
);

const sampleMatches = new Map<LogRecord, string[]>();

function sampleLines(start: number): LogRecord[] {
  const requests = [
    "GET /api/user/7 200 9ms",
    "GET /static/app.css 200 1ms",
    "POST /login 302 31ms",
    "GET /api/orders?page=2 200 48ms",
    "GET /api/user/42 200 12ms",
  ];
  const lines = [
    "INFO  myapp starting, version 2.4.1",
    "INFO  listening on :8080",
    ...requests.slice(0, 3).map((r) => `INFO ${r}`),
    "WARN  slow query: SELECT * FROM orders WHERE status = 'open' (1834ms)",
    "DEBUG cache hit ratio 0.93",
    "ERROR authentication failure for user admin from 203.0.113.9",
    ...requests.slice(0, 4).map((r) => `INFO ${r}`),
    "WARN  retrying webhook delivery (429), attempt 2",
    "ERROR java.lang.OutOfMemoryError: Java heap space",
    "INFO  restarted by logward (rule restart-on-oom)",
    "INFO  myapp starting, version 2.4.1",
    ...requests.slice(1, 4).map((r) => `INFO ${r}`),
    "DEBUG gc pause 12ms",
    "INFO GET /api/user/42 200 12ms",
  ];
  return lines.map((line, i) => {
    const r = record(line, "app", start + i * 1000);
    if (line.includes("OutOfMemoryError")) sampleMatches.set(r, ["restart-on-oom"]);
    if (line.includes("authentication failure")) sampleMatches.set(r, ["auth-storm"]);
    return r;
  });
}
