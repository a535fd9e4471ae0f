// End to end: `logward view` tails real files and serves them over HTTP (the built CLI as a child process).
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findSourceKind } from "../src/sources/index.js";
import { runLogward, startLogward, tempDir, waitFor, type Running } from "./helpers.js";

const fileSourceReady = findSourceKind("file") !== undefined;
const why = fileSourceReady ? "" : " (skipped: the file source is not registered yet)";

let dir: string;
let cleanup: () => void;
let running: Running | undefined;

beforeEach(() => ({ dir, cleanup } = tempDir("logward-view-")));
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

/** Starts `logward view`; the base URL it printed, and the token when the URL carries one (a token made at start). */
async function view(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; token: string | undefined }> {
  running = startLogward(["view", "--listen", "127.0.0.1:0", ...args], { env: { LOGWARD_WEB_TOKEN: "", ...env } });
  const r = running;
  const printed = await waitFor(
    () => /logward view: open (http:\/\/\S+)/.exec(r.stderr())?.[1],
    `the URL; stderr so far:\n${r.stderr()}`,
    20_000,
  );
  const parsed = new URL(printed);
  return { url: `${parsed.origin}/`, token: parsed.searchParams.get("token") ?? undefined };
}

const bearer = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

async function tailLines(url: string, source: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await fetch(`${url}api/tail?source=${source}&lines=100`, { headers });
  return res.ok ? ((await res.json()) as { lines: { line: string }[] }).lines.map((l) => l.line) : [];
}

describe("logward view", () => {
  it("refuses a non-loopback address without a token: exit 2, a message, no stack", async () => {
    const { code, stderr } = await runLogward(["view", join(dir, "a.log"), "--listen", "0.0.0.0:8080"], {
      env: { LOGWARD_WEB_TOKEN: "" },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/needs a token/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!fileSourceReady && process.env.CI !== "true")(
    `serves new lines of each file as they are written${why}`,
    async () => {
      const app = join(dir, "app.log");
      const sys = join(dir, "sys.log");
      writeFileSync(app, "old line, before view started\n");
      writeFileSync(sys, "");
      const { url, token } = await view([app, sys, "-n", "0"]); // -n 0: only lines written from now on
      // No token given: one is made at start, printed in the URL, and required.
      expect(token).toMatch(/^[\w-]{32}$/);
      expect((await fetch(`${url}api/sources`)).status).toBe(401);
      const auth = bearer(token);
      const sources = (await (await fetch(`${url}api/sources`, { headers: auth })).json()) as {
        sources: { name: string }[];
      };
      expect(sources.sources.map((s) => s.name)).toEqual(["app.log", "sys.log"]);
      appendFileSync(app, "ERROR first new line\n");
      appendFileSync(sys, "kernel: hello\n");
      const appHas = async (line: string) => (await tailLines(url, "app.log", auth)).includes(line);
      await waitFor(() => appHas("ERROR first new line"), "the new app line");
      await waitFor(async () => (await tailLines(url, "sys.log", auth)).includes("kernel: hello"), "the new sys line");
      expect(await tailLines(url, "app.log", auth)).toEqual(["ERROR first new line"]);
      expect(await running?.stop()).toBe(0);
    },
  );

  it.skipIf(!fileSourceReady && process.env.CI !== "true")(
    `with --from-start and a token from LOGWARD_WEB_TOKEN${why}`,
    async () => {
      const app = join(dir, "app.log");
      writeFileSync(app, "line 1\nline 2\n");
      const { url, token } = await view([app, "--from-start"], { LOGWARD_WEB_TOKEN: "tok-123" });
      expect(token).toBeUndefined(); // a token the user gave is not printed
      expect((await fetch(`${url}api/sources`)).status).toBe(401);
      const auth = { authorization: "Bearer tok-123" };
      await waitFor(async () => (await tailLines(url, "app.log", auth)).length === 2, "the existing lines");
      expect(running?.stderr()).not.toContain("tok-123");
    },
  );

  it.skipIf(!fileSourceReady && process.env.CI !== "true")(`--token-file and --no-token${why}`, async () => {
    const app = join(dir, "app.log");
    writeFileSync(app, "line 1\n");
    writeFileSync(join(dir, "token"), "from-a-file\n");
    const fromFile = await view([app, "--from-start", "--token-file", join(dir, "token")]);
    expect(fromFile.token).toBeUndefined();
    expect((await fetch(`${fromFile.url}api/sources`)).status).toBe(401);
    await waitFor(async () => (await tailLines(fromFile.url, "app.log", bearer("from-a-file"))).length === 1, "line");
    await running?.stop();

    const open = await view([app, "--from-start", "--no-token"]);
    expect(open.token).toBeUndefined();
    await waitFor(async () => (await tailLines(open.url, "app.log")).length === 1, "the line without a token");
    const { code, stderr } = await runLogward(["view", app, "--listen", "0.0.0.0:8080", "--no-token"], {
      env: { LOGWARD_WEB_TOKEN: "" },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/loopback/);
  });
});
