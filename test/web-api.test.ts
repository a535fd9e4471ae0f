// The web API against a real server on 127.0.0.1:0: SSE history/resume/filter, auth, headers, metrics, slow clients.
import http from "node:http";
import { describe, expect, test } from "vitest";
import { MAX_LINES_PER_EVENT } from "../src/web/frames.js";
import { closedAfterEach, record, SseReader, waitFor } from "./web-support.js";

const { serve, stream } = closedAfterEach();

const texts = (r: SseReader): string[] => r.lines().map((l) => l.line);
const ids = (r: SseReader): (string | undefined)[] => r.ofType("lines").map((e) => e.id);

describe("GET /api/stream", () => {
  test("sends the history on connect, then new lines live, in batches whose id is their last line's", async () => {
    const s = await serve();
    s.hub.pushRecords([record("one"), record("two")]);
    const r = await stream(`${s.url}api/stream?source=app`);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(r.headers["content-security-policy"]).toContain("default-src 'self'");
    await waitFor(() => r.lines().length === 2, "history");
    s.hub.pushRecords([record("three")]);
    await waitFor(() => r.lines().length === 3, "live line");
    expect(r.events[0]?.data).toEqual({
      type: "hello",
      epoch: s.hub.epoch,
      source: "app",
      match: null,
      resumed: false,
    });
    expect(ids(r)).toEqual([2, 3].map((n) => `${s.hub.epoch}-${n}`));
    expect(texts(r)).toEqual(["one", "two", "three"]);
    // The wire format: the file is named on the first line of an event and holds for the lines after it.
    const time = Date.UTC(2026, 10, 21, 4, 15, 0);
    expect(r.ofType("lines")[0]?.data).toEqual({
      type: "lines",
      source: "app",
      lines: [
        { n: 1, time, line: "one", file: "/var/log/app.log" },
        { n: 2, time, line: "two" },
      ],
    });
    expect(r.lines()[2]).toEqual({ n: 3, source: "app", time, line: "three", file: "/var/log/app.log" });
  });

  test("a burst travels in events of at most MAX_LINES_PER_EVENT lines, in order, nothing lost", async () => {
    const s = await serve({}, 5000);
    const r = await stream(`${s.url}api/stream?source=app`);
    await waitFor(() => r.events.length >= 1, "hello");
    s.hub.pushRecords(Array.from({ length: 1234 }, (_, i) => record(`burst ${i + 1}`)));
    await waitFor(() => r.lines().length === 1234, "the burst");
    expect(r.ofType("lines").map((e) => (e.data.lines as unknown[]).length)).toEqual([
      MAX_LINES_PER_EVENT,
      MAX_LINES_PER_EVENT,
      1234 - 2 * MAX_LINES_PER_EVENT,
    ]);
    expect(ids(r)).toEqual([MAX_LINES_PER_EVENT, 2 * MAX_LINES_PER_EVENT, 1234].map((n) => `${s.hub.epoch}-${n}`));
    expect(r.lines().map((l) => l.n)).toEqual(Array.from({ length: 1234 }, (_, i) => i + 1));
  });

  test("resumes after Last-Event-ID, and tells how many lines history no longer held", async () => {
    const s = await serve({}, 10);
    s.hub.pushRecords(Array.from({ length: 30 }, (_, i) => record(`line ${i + 1}`)));
    const resumed = await stream(`${s.url}api/stream?source=app`, { "last-event-id": `${s.hub.epoch}-27` });
    await waitFor(() => resumed.lines().length === 3, "lines after 27");
    expect(resumed.events[0]?.data).toMatchObject({ type: "hello", resumed: true });
    expect(texts(resumed)).toEqual(["line 28", "line 29", "line 30"]);
    expect(resumed.ofType("missed")).toEqual([]);

    const gap = await stream(`${s.url}api/stream?source=app&last_id=${s.hub.epoch}-5`); // what a reopened EventSource sends
    await waitFor(() => gap.lines().length === 10, "held lines");
    expect(gap.ofType("missed").map((e) => e.data.count)).toEqual([15]); // 6..20 evicted, 21..30 held
    expect(texts(gap)[0]).toBe("line 21");

    const foreign = await stream(`${s.url}api/stream?source=app`, { "last-event-id": "otherepoch-27" });
    await waitFor(() => foreign.lines().length === 10, "full history for an id from another server");
    expect(foreign.events[0]?.data).toMatchObject({ resumed: false });
  });

  test("filters on the server with the pattern syntax and marks the matched text", async () => {
    const s = await serve();
    s.hub.pushRecords([record("GET /a 200"), record("GET /b 500 Internal"), record("POST /c 503")]);
    const r = await stream(`${s.url}api/stream?source=app&match=${encodeURIComponent("/ 5\\d\\d/")}`);
    await waitFor(() => r.lines().length === 2, "matching history");
    s.hub.pushRecords([record("GET /d 200"), record("GET /e 502")]);
    await waitFor(() => r.lines().length === 3, "matching live line");
    expect(texts(r)).toEqual(["GET /b 500 Internal", "POST /c 503", "GET /e 502"]);
    expect(r.lines().map((l) => l.hl)).toEqual([
      [6, 10],
      [7, 11],
      [6, 10],
    ]);
    expect(ids(r)).toEqual([`${s.hub.epoch}-3`, `${s.hub.epoch}-5`]);

    // An event's id covers the lines the filter skipped after its last match: resuming there sends none of them again.
    s.hub.pushRecords([record("GET /f 504"), record("GET /g 200")]);
    await waitFor(() => r.lines().length === 4, "the next match");
    expect(ids(r)[2]).toBe(`${s.hub.epoch}-7`);
    const resumed = await stream(`${s.url}api/stream?source=app&match=${encodeURIComponent("/ 5\\d\\d/")}`, {
      "last-event-id": `${s.hub.epoch}-7`,
    });
    await waitFor(() => resumed.events.length >= 1, "hello");
    s.hub.pushRecords([record("GET /h 500")]);
    await waitFor(() => resumed.lines().length === 1, "only the new match");
    expect(texts(resumed)).toEqual(["GET /h 500"]);

    const literal = await stream(`${s.url}api/stream?source=app&match=${encodeURIComponent("/a")}`);
    await waitFor(() => literal.lines().length === 1, "literal match");
  });

  test("odd text survives the trip exactly: NUL, CR, lone surrogates, U+2028, replacement characters, long lines cut", async () => {
    const s = await serve();
    const odd = [
      "nul\u0000byte",
      "cr\rin the middle",
      "lone \ud800 surrogate",
      "line\u2028separator",
      "bad utf-8 \ufffd\ufffd",
      "data: fake\n\nid: 999",
      "x".repeat(64 * 1024),
      "y".repeat(200_000),
    ];
    s.hub.pushRecords(odd.map((l) => record(l)));
    const r = await stream(`${s.url}api/stream?source=app`);
    await waitFor(() => r.lines().length === odd.length, "every line");
    // A line over 64 KiB arrives cut to it, saying how long it was; one at the limit arrives whole.
    expect(texts(r)).toEqual([...odd.slice(0, -1), "y".repeat(64 * 1024)]);
    expect(r.lines().map((l) => (l as { cut?: number }).cut)).toEqual([
      ...odd.slice(0, -1).map(() => undefined),
      200_000,
    ]);
    expect(ids(r)).toEqual([`${s.hub.epoch}-${odd.length}`]);
  });

  test("refuses a bad pattern, an unknown source and a repeated source with a JSON error", async () => {
    const s = await serve();
    const get = async (q: string) => {
      const res = await fetch(`${s.url}api/stream${q}`);
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await get(`?source=app&match=${encodeURIComponent("/(/")}`)).toEqual([400, "bad_request"]);
    expect(await get("?source=nope")).toEqual([404, "not_found"]);
    expect(await get("?source=app&source=app")).toEqual([400, "bad_request"]);
  });

  test("a client that stops reading loses lines, is told how many, and never makes the server queue without limit", async () => {
    const s = await serve({ client_buffer: 64 * 1024 });
    const r = await stream(`${s.url}api/stream?source=app`);
    await waitFor(() => r.events.length >= 1, "hello");
    r.pause();
    const metric = async (name: string) => (await s.metrics.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    const dropped = () => metric("logward_web_events_dropped_total");
    const filler = "x".repeat(1000);
    // What may wait for this client: our queue, plus the socket's buffer up to its high-water mark (16 KiB on
    // Node 20, 64 KiB since 22) and the one frame that crossed it.
    const bound = 64 * 1024 + 64 * 1024 + MAX_LINES_PER_EVENT * (filler.length + 100);
    const peak = () => metric("logward_web_client_queue_peak_bytes");
    let pushed = 0;
    // Keep writing until the socket and our bounded queue are both full and lines start to drop.
    await waitFor(
      async () => {
        s.hub.pushRecords(Array.from({ length: 1000 }, () => record(`${++pushed} ${filler}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return (await dropped()) > 0 || (await peak()) > bound;
      },
      "lines to be dropped",
      30_000,
    );
    expect(await peak()).toBeLessThanOrEqual(bound);
    expect(await dropped()).toBeGreaterThan(0);
    r.resume();
    const reported = () => r.ofType("dropped").reduce((sum, e) => sum + (e.data.count as number), 0);
    await waitFor(async () => r.lines().length + reported() === pushed, "every line delivered or reported", 30_000);
    expect(reported()).toBe(await dropped());
    const received = r.lines().map((l) => l.n);
    expect(received).toEqual([...received].sort((a, b) => a - b)); // in order, with gaps where the notices are
  });

  test("closing the server ends open streams", async () => {
    const s = await serve();
    const r = await stream(`${s.url}api/stream?source=app`);
    await waitFor(() => r.events.length >= 1, "hello");
    await s.close();
    await waitFor(() => r.ended, "the stream to end");
  });
});

describe("JSON endpoints", () => {
  test("/api/sources, /api/tail, /api/stats and /api/alerts", async () => {
    const s = await serve();
    s.hub.pushRecords(["a 1", "b 2", "a 3"].map((l) => record(l)));
    s.hub.pushStats("web", { hits: 20, rate: 2, sections: [{ section: "/api", hits: 15 }], end: 1_700_000_010_000 });
    s.hub.pushAlert({
      kind: "alert",
      rule: "web",
      source: "app",
      time: 5,
      records: [],
      fields: {},
      count: 1,
      suppressed: 0,
      message: "High traffic generated an alert - hits = 20, triggered at 04:15:00",
    });
    const json = async (path: string) => (await fetch(`${s.url}${path}`)).json();
    expect(await json("api/sources")).toEqual({
      epoch: s.hub.epoch,
      history: 1000,
      sources: [{ name: "app", type: "file", path: "/var/log/app.log", lines: 3, held: 3 }],
    });
    expect(
      ((await json("api/tail?source=app&lines=2")) as { lines: { line: string }[] }).lines.map((l) => l.line),
    ).toEqual(["b 2", "a 3"]);
    expect(
      ((await json("api/tail?source=app&lines=1&match=a")) as { lines: { line: string }[] }).lines.map((l) => l.line),
    ).toEqual(["a 3"]);
    expect(await json("api/stats")).toEqual({
      jobs: [
        {
          job: "web",
          points: [{ t: 1_700_000_010_000, rate: 2, hits: 20 }],
          sections: [{ name: "/api", hits: 15 }],
          threshold: null,
          firing: false,
          latest: expect.objectContaining({ hits: 20 }),
        },
      ],
    });
    expect(await json("api/alerts")).toEqual({
      alerts: [
        expect.objectContaining({ rule: "web", kind: "alert", message: expect.stringContaining("High traffic") }),
      ],
    });
    expect((await fetch(`${s.url}api/tail?source=app&lines=-1`)).status).toBe(400);
    expect((await fetch(`${s.url}api/tail?source=zzz`)).status).toBe(404);
  });

  test("/metrics is Prometheus text with the web metrics; /healthz answers", async () => {
    const s = await serve();
    s.hub.pushRecords([record("x")]);
    const r = await stream(`${s.url}api/stream?source=app`);
    await waitFor(() => r.lines().length === 1, "a line");
    const res = await fetch(`${s.url}metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain("# TYPE logward_web_clients gauge\nlogward_web_clients 1\n");
    expect(text).toContain("logward_web_events_sent_total 1\n");
    expect(text).toContain("# TYPE logward_web_events_dropped_total counter");
    expect(await (await fetch(`${s.url}healthz`)).json()).toEqual({ status: "ok" });
  });
});

describe("assets and headers", () => {
  test("serves the whitelisted UI files with a strict CSP, and nothing else from disk", async () => {
    const s = await serve();
    const page = await fetch(s.url);
    expect(page.headers.get("content-security-policy")).toMatch(
      /default-src 'self'; script-src 'self'; style-src 'self'/,
    );
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>|\son\w+=/); // no inline code for the CSP to allow
    for (const asset of [
      "app.js",
      "tail.js",
      "stream.js",
      "traffic.js",
      "app.css",
      "vendor/uPlot.iife.min.js",
      "vendor/uPlot.min.css",
    ]) {
      const res = await fetch(`${s.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get("content-type"), asset).toMatch(
        asset.endsWith(".js") ? /^text\/javascript/ : /^text\/css/,
      );
    }
    for (const probe of [
      "../package.json",
      "%2e%2e/package.json",
      "src/web/server.ts",
      "vendor/../app.js/..%2f..%2fpackage.json",
      "ui/app.js",
    ]) {
      expect((await rawGet(s.url, `/${probe}`)).status, probe).toBe(404);
    }
    const etag = (await fetch(`${s.url}app.js`)).headers.get("etag") ?? "";
    expect((await fetch(`${s.url}app.js`, { headers: { "if-none-match": etag } })).status).toBe(304);
  });
});

describe("access control", () => {
  const TOKEN = "correct-horse-battery";

  test("with a token: 401 without it, ok with Bearer, /healthz open", async () => {
    const s = await serve({ token: TOKEN });
    for (const path of ["", "api/sources", "api/stream?source=app", "metrics", "app.js"]) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="logward"');
    }
    expect((await fetch(`${s.url}api/sources`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${s.url}api/sources`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${s.url}healthz`)).status).toBe(200);
    const r = await stream(`${s.url}api/stream?source=app`, { authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(200);
  });

  test("a ?token= link sets an HttpOnly SameSite=Strict cookie and redirects to the URL without it", async () => {
    const s = await serve({ token: TOKEN });
    const res = await fetch(`${s.url}api/tail?source=app&token=${TOKEN}&lines=5`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/api/tail?source=app&lines=5");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^logward_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(";")[0] as string;
    expect((await fetch(`${s.url}api/sources`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${s.url}api/sources`, { headers: { cookie: "logward_session=forged" } })).status).toBe(401);
    expect((await fetch(`${s.url}?token=wrong`, { redirect: "manual" })).status).toBe(401);
    const sneaky = await rawGet(s.url, `//evil.example/?token=${TOKEN}`);
    expect(sneaky.location).toBe("/evil.example/"); // a path on this server, never another host
    expect((await rawGet(s.url, `/\\evil.example/?token=${TOKEN}`)).location).toBe("/evil.example/");
  });

  test("without a token, only loopback Host names are served (no DNS rebinding)", async () => {
    const s = await serve();
    expect((await rawGet(s.url, "/api/sources", { host: "evil.example:8080" })).status).toBe(403);
    expect((await rawGet(s.url, "/api/sources", { host: "localhost:8080" })).status).toBe(200);
    expect((await rawGet(s.url, "/healthz", { host: "evil.example" })).status).toBe(200);
  });
});

/** A GET with the path sent as is (fetch would normalise ../) and any Host header. */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; location?: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, headers, method: "GET" }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) });
    });
    req.on("error", reject);
    req.end();
  });
}
