// `logward stats --replay --html` and GET /report: one self-contained page, no external request, hostile text inert.
import fs from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { runLogward, tempDir } from "./helpers.js";
import { startTestServer, type TestServer } from "./web-support.js";
import { ReportCollector } from "../src/stats/html-collect.js";
import type { StatsReport } from "../src/stats/report.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === "true") throw new Error(`${CHROMIUM} is required in CI`);

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-html-")));
afterEach(() => cleanup());

const HOSTILE_PATH = `/<script>window.__xss=1</script>`;
const HOSTILE_HOST = `<img/src=x/onerror=window.__xss=2>`;
const START = Date.UTC(2026, 11, 1, 10, 0, 0);

/** Common-format lines over 20 minutes: 2 req/s, 30 req/s from minute 8 to 11 (the alert), hostile text inside. */
function accessLog(hostile: boolean): string {
  const lines: string[] = [];
  for (let s = 0; s < 20 * 60; s++) {
    const rate = s >= 8 * 60 && s < 11 * 60 ? 30 : 2;
    const stamp = clfTime(START + s * 1000);
    for (let i = 0; i < rate; i++) {
      const path = hostile && i === 0 && s % 60 === 0 ? HOSTILE_PATH : i % 2 ? "/api/users/1" : "/shop/cart";
      const host = hostile && i === 1 ? HOSTILE_HOST : `10.0.0.${i % 5}`;
      lines.push(`${host} - - [${stamp}] "GET ${path} HTTP/1.1" ${i % 7 === 0 ? 503 : 200} 512`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function clfTime(ms: number): string {
  const d = new Date(ms);
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

async function makeReport(hostile: boolean): Promise<string> {
  fs.writeFileSync(join(dir, "access.log"), accessLog(hostile));
  const run = await runLogward(["stats", "access.log", "--replay", "--html", "report.html"], { cwd: dir });
  expect(run.code).toBe(0);
  return fs.readFileSync(join(dir, "report.html"), "utf8");
}

describe("stats --html", () => {
  it("writes one page that names nothing outside itself: no URL, no src, no href, no script", async () => {
    const html = await makeReport(false);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\s(src|href|srcset|action)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|<script|<link|<iframe/i);
    expect(html).toContain('<svg id="traffic"');
    expect(html).toMatch(/<table id="alerts">/);
    expect(html).toContain("/shop");
  });

  it("keeps memory bounded over a long period: the chart thins to at most 2000 points, top lists are capped", () => {
    const collector = new ReportCollector();
    const empty = { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 };
    let hits = 0;
    for (let i = 0; i < 100_000; i++) {
      const from = START + i * 10_000;
      const report = {
        from,
        to: from + 10_000,
        hits: i % 10,
        rate: (i % 10) / 10,
        bytes: 1,
        status: { ...empty, "2xx": i % 10 },
        errors: 0,
        errorRate: 0,
        sections: [{ name: `/s${i}`, hits: 1 }],
        hosts: [],
        invalid: 0,
        late: 0,
        window: { seconds: 120, hits: 0, rate: 0 },
        firing: false,
        approximate: false,
      } as StatsReport;
      hits += report.hits;
      collector.addReport(report);
    }
    const result = collector.result();
    expect(result.points.length).toBeLessThanOrEqual(2000);
    expect(result.points.reduce((sum, p) => sum + p.hits, 0)).toBe(hits); // thinning loses no request
    expect(result.points[0]?.from).toBe(START);
    expect(result.points[result.points.length - 1]?.to).toBe(START + 100_000 * 10_000);
    expect(result.points.every((p) => p.peak <= 0.9)).toBe(true);
    expect(result.approximate).toBe(true);
  });
});

describe.skipIf(!haveChromium)(`the report in Chromium${haveChromium ? "" : " (skipped: no chromium)"}`, () => {
  let browser: Browser;
  let server: TestServer | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Open the page with every network request refused and counted; what a person sees, and what ran. */
  async function open(load: (page: import("playwright-core").Page) => Promise<unknown>) {
    const context = await browser.newContext();
    const requests: string[] = [];
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      if (server && url.startsWith(`${server.url}report`)) return route.continue();
      requests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => void (dialogs.push(d.message()), d.dismiss()));
    await load(page);
    const seen = await page.evaluate(() => ({
      points: document.querySelector("#traffic polyline.rate")?.getAttribute("points")?.split(" ").length ?? 0,
      bands: document.querySelectorAll("#traffic rect.alert").length,
      alertRows: document.querySelectorAll("#alerts tr").length - 1,
      width: document.querySelector("#traffic")?.getBoundingClientRect().width ?? 0,
      scripts: document.querySelectorAll("script").length,
      images: document.querySelectorAll("img").length,
      xss: (window as unknown as { __xss?: number }).__xss ?? null,
      text: document.body.innerText,
    }));
    await context.close();
    return { ...seen, requests, dialogs };
  }

  it("shows the chart with the alert period from the file, with the network blocked; hostile log text stays text", async () => {
    const html = await makeReport(true);
    const seen = await open((page) => page.setContent(html, { waitUntil: "load" }));
    expect(seen.requests).toEqual([]);
    expect(seen.points).toBeGreaterThan(50);
    expect(seen.bands).toBe(1);
    expect(seen.alertRows).toBe(1);
    expect(seen.width).toBeGreaterThan(300);
    expect(seen).toMatchObject({ scripts: 0, images: 0, xss: null, dialogs: [] });
    expect(seen.text).toContain("/<script>window.__xss=1<");
    expect(seen.text).toContain(HOSTILE_HOST);
  }, 60_000);

  it("GET /report serves the same page for a running job, under a policy that allows no script", async () => {
    server = await startTestServer();
    const events: { kind: string; time: number; report?: StatsReport }[] = [];
    const base = { "1xx": 0, "2xx": 5, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 };
    for (let i = 0; i < 30; i++) {
      const from = START + i * 10_000;
      const rate = i >= 10 && i < 15 ? 40 : 1;
      events.push({
        kind: "stats",
        time: from + 10_000,
        report: {
          ...{ from, to: from + 10_000, hits: rate * 10, rate, bytes: 10, status: base, errors: 0, errorRate: 0 },
          ...{ sections: [{ name: HOSTILE_PATH, hits: 3 }], hosts: [{ name: HOSTILE_HOST, hits: 2 }] },
          ...{ invalid: 0, late: 0, window: { seconds: 60, hits: 0, rate: 0 }, firing: false, approximate: false },
          threshold: 10,
        },
      });
    }
    for (const e of events) server.hub.pushStats("web", e.report);
    const alert = (kind: "alert" | "recovery", time: number) =>
      server?.hub.pushAlert({
        ...{ kind, rule: "web", source: "access", time, records: [], suppressed: 0, count: 1 },
        ...{ fields: { rate: 40 }, message: `High traffic <b>${kind}</b>`, data: { rate: 40 } },
      });
    alert("alert", START + 110_000);
    alert("recovery", START + 160_000);
    const res = await fetch(`${server.url}report`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src|unsafe/);
    const body = await res.text();
    expect(body).not.toMatch(/https?:\/\//);
    expect((await fetch(`${server.url}report?job=nope`)).status).toBe(404);
    const seen = await open((page) => page.goto(`${server?.url}report`));
    expect(seen.requests).toEqual([]);
    expect(seen).toMatchObject({ points: 30, bands: 1, alertRows: 1, scripts: 0, images: 0, xss: null, dialogs: [] });
    expect(seen.text).toContain("High traffic <b>alert</b>");
  }, 60_000);
});
