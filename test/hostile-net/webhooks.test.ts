// Hostile webhook endpoints against a real daemon: absurd Retry-After, Discord's retry_after, redirects to
// another host, servers echoing the secret URL. Each ends by checking that the daemon still acts.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLines, tempDir, type Running } from "../helpers.js";
import { alive, logsMatching, startDaemon, waitFor } from "./support.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Server {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

type Answer = (req: Seen, n: number) => { status: number; headers?: Record<string, string>; body?: unknown };

let dir: string;
let cleanup: () => void;
let daemon: Running | undefined;
const servers: Server[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir("logward-hostile-hooks-")));
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
  cleanup();
});

async function serve(answer: Answer): Promise<Server> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, at: Date.now() };
      seen.push(request);
      const a = answer(request, seen.length);
      res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
      res.end(a.body === undefined ? "" : typeof a.body === "string" ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  servers.push(handle);
  return handle;
}

/** A daemon tailing app.log: ALERT lines go to the given actions, PING lines to an exec rule proving it still acts. */
async function daemonWith(actions: Record<string, string>, alertActions: string[]): Promise<Running> {
  writeFileSync(join(dir, "app.log"), "");
  daemon = startDaemon(dir, [
    "state_dir: ./state",
    "sources: { app: { path: ./app.log } }",
    "rules:",
    `  alert: { source: app, match: ALERT, actions: [${alertActions.join(", ")}] }`,
    "  ping: { source: app, match: PING, actions: [copy] }",
    "actions:",
    '  copy: { type: exec, command: "cat >> copy.txt" }',
    ...Object.entries(actions).map(([name, body]) => `  ${name}: ${body}`),
  ]);
  await daemon.waitForLog("logward running");
  return daemon;
}

function append(...lines: string[]): void {
  appendFileSync(join(dir, "app.log"), lines.map((l) => `${l}\n`).join(""));
}

function deadLetters(action: string): { reason: string; event: { records: { line: string }[] } }[] {
  return readLines(join(dir, "state", "dead-letter", `${action}.ndjson`)).map((l) => JSON.parse(l));
}

/** The daemon is alive and its exec rule runs for a fresh line. */
async function stillActs(running: Running, marker: string): Promise<void> {
  append(`PING ${marker}`);
  const copy = join(dir, "copy.txt");
  await waitFor(
    () => existsSync(copy) && readFileSync(copy, "utf8").includes(`PING ${marker}`),
    `the exec rule to act on PING ${marker}; stderr:\n${running.stderr().slice(-2000)}`,
  );
  expect(alive(running)).toBe(true);
}

describe("servers asking to wait forever", () => {
  it("dead-letters within give_up_after on Retry-After: 1000000000, and the source's other rules keep acting", async () => {
    const hook = await serve(() => ({ status: 429, headers: { "retry-after": "1000000000" }, body: "slow down" }));
    const hookKeys = "queue_size: 2, batch: { size: 1, timeout: 0 }, backoff: { initial: 100ms, max: 300ms }";
    const running = await daemonWith(
      { hook: `{ type: http, url: "${hook.url}/hook", ${hookKeys}, give_up_after: 5s }` },
      ["hook", "copy"],
    );
    const lines = Array.from({ length: 10 }, (_, i) => `ALERT ${i}`);
    const started = Date.now();
    append(...lines);
    await waitFor(() => deadLetters("hook").length === 10, "10 dead letters", 40_000);
    const took = Date.now() - started;
    // About 10 × backoff.max + give_up_after (8 s) on an idle machine, never the server's 31 years; the margin is
    // for a loaded 2-core machine.
    expect(took).toBeLessThan(30_000);
    expect(deadLetters("hook").map((d) => d.event.records[0]?.line)).toEqual(lines);
    expect(deadLetters("hook")[0]?.reason).toMatch(/past give_up_after/);
    expect(hook.seen.length).toBeLessThanOrEqual(12); // one request per event, no busy loop
    await waitFor(() => readLines(join(dir, "copy.txt")).length >= 10, "the other rule's exec to see every line");
    expect(readLines(join(dir, "copy.txt")).slice(0, 10)).toEqual(lines);
    expect(running.stderr()).not.toMatch(/TimeoutOverflowWarning/);
    await stillActs(running, "after 429");
  }, 60_000);

  it("obeys a Retry-After given as an HTTP date, and Discord's retry_after from the body", async () => {
    let dateAnswered = 0;
    const hook = await serve((_req, n) => {
      if (n > 1) return { status: 204 };
      dateAnswered = Date.now();
      return { status: 429, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() } };
    });
    const discord = await serve(() => ({ status: 429, body: { message: "rate limited", retry_after: 1e9 } }));
    const token = "SECRETtokenDISCORD123456";
    const running = await daemonWith(
      {
        hook: `{ type: http, url: "${hook.url}/hook", batch: { timeout: 0 } }`,
        chat: `{ type: discord, url: "${discord.url}/api/webhooks/123/${token}", batch: { timeout: 0 }, give_up_after: 3s }`,
      },
      ["hook", "chat"],
    );
    append("ALERT dated");
    await waitFor(() => hook.seen.length === 2, "the retry after the dated window");
    expect((hook.seen[1] as Seen).at - dateAnswered).toBeGreaterThanOrEqual(900); // the date has whole seconds
    expect((hook.seen[1] as Seen).body).toContain("ALERT dated");
    await waitFor(() => deadLetters("chat").length === 1, "the Discord event dead-lettered");
    expect(discord.seen.length).toBe(1);
    expect(running.stderr() + readFileSync(join(dir, "state", "dead-letter", "chat.ndjson"), "utf8")).not.toContain(
      token,
    );
    await stillActs(running, "after retry_after");
  });
});

describe("redirects", () => {
  it("never follows a redirect to another origin (that server receives nothing); follows a same-origin 307", async () => {
    const thief = await serve(() => ({ status: 200 }));
    const hook = await serve((req) =>
      req.url === "/hook"
        ? { status: 307, headers: { location: `${thief.url}/steal` } }
        : req.url === "/moved"
          ? { status: 308, headers: { location: "/final" } }
          : { status: 200 },
    );
    const headers = 'headers: { X-Api-Key: "k3y-secret-value" }';
    const running = await daemonWith(
      {
        cross: `{ type: http, url: "${hook.url}/hook", ${headers}, batch: { timeout: 0 } }`,
        same: `{ type: http, url: "${hook.url}/moved", ${headers}, batch: { timeout: 0 } }`,
      },
      ["cross", "same"],
    );
    append("ALERT secret log line");
    await waitFor(() => deadLetters("cross").length === 1, "the redirected event dead-lettered");
    expect(deadLetters("cross")[0]?.reason).toMatch(
      /redirect to http:\/\/127\.0\.0\.1:\d+.*not followed.*another origin/,
    );
    await waitFor(
      () => logsMatching(running, /dead-letter/).some((l) => /another origin/.test(String(l.reason))),
      "the log to say why",
    );
    await waitFor(() => hook.seen.some((s) => s.url === "/final"), "the same-origin redirect followed");
    const final = hook.seen.find((s) => s.url === "/final") as Seen;
    expect(final.body).toContain("ALERT secret log line");
    expect(final.method).toBe("POST");
    await stillActs(running, "after redirects");
    expect(thief.seen).toEqual([]);
  });
});

describe("secrets in webhook URLs", () => {
  it("keeps user:pass@ and ?token= out of logs and dead letters, even when the server echoes them", async () => {
    const echo = await serve((req) => ({
      status: 400,
      body: `no such hook: ${req.url} (${req.headers.authorization})`,
    }));
    const { port } = new URL(echo.url);
    const url = `http://alice:pa55word-secret@127.0.0.1:${port}/hooks/abcdef-path-secret?token=qtoken-secret`;
    const running = await daemonWith({ hook: `{ type: http, url: "${url}", batch: { timeout: 0 } }` }, ["hook"]);
    append("ALERT with secrets around");
    await waitFor(() => deadLetters("hook").length === 1, "the rejected event dead-lettered");
    const basic = `Basic ${Buffer.from("alice:pa55word-secret").toString("base64")}`;
    expect(echo.seen[0]?.headers.authorization).toBe(basic); // fetch refuses user:pass@; it became a header
    const everything = running.stderr() + readFileSync(join(dir, "state", "dead-letter", "hook.ndjson"), "utf8");
    for (const secret of ["pa55word-secret", "abcdef-path-secret", "qtoken-secret"])
      expect(everything).not.toContain(secret);
    expect(deadLetters("hook")[0]?.reason).toMatch(/HTTP 400/);
    await stillActs(running, "after secrets");
  });
});
