// The Discord backlog case: `logward run --once` sends a backlog of lines to a local server that answers like a
// Discord webhook (per-bucket X-RateLimit headers, 429 with retry_after); how full are the messages, is anything lost?
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const CONTENT_LIMIT = 2000;

/** A webhook allowing `limit` requests per `resetMs`, with Discord's headers; records every accepted message. */
function startWebhook({ limit = 5, resetMs = 250 } = {}) {
  const messages = [];
  let rejected = 0;
  let remaining = limit;
  let resetAt = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const now = Date.now();
      if (now >= resetAt) [remaining, resetAt] = [limit, now + resetMs];
      const resetAfter = ((resetAt - now) / 1000).toFixed(3);
      const headers = {
        "content-type": "application/json",
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-reset-after": resetAfter,
        "x-ratelimit-bucket": "bench",
      };
      if (remaining === 0) {
        rejected++;
        res.writeHead(429, { ...headers, "x-ratelimit-remaining": "0", "x-ratelimit-scope": "user" });
        res.end(
          JSON.stringify({ message: "You are being rate limited.", retry_after: Number(resetAfter), global: false }),
        );
        return;
      }
      remaining--;
      messages.push(JSON.parse(body).content ?? "");
      res.writeHead(200, { ...headers, "x-ratelimit-remaining": String(remaining) });
      res.end(JSON.stringify({ id: String(messages.length) }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/api/webhooks/1/bench`,
        messages,
        rejected: () => rejected,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

/** Run logward --once over `lines` lines of about `width` characters, all sent to the webhook; measure the packing. */
export async function measureDiscord({ logwardArgv, workDir, lines = 1000, width = 100, log = () => {} }) {
  const dir = fs.mkdtempSync(path.join(workDir, "discord-"));
  const logFile = path.join(dir, "app.log");
  const sent = Array.from(
    { length: lines },
    (_, i) => `BACKLOG ${String(i).padStart(6, "0")} ${"x".repeat(width - 15)}`,
  );
  fs.writeFileSync(logFile, sent.join("\n") + "\n");
  const webhook = await startWebhook();
  const config = {
    state_dir: path.join(dir, "state"),
    log: { level: "warn" },
    sources: { app: { path: logFile, start_at: "beginning" } },
    rules: { backlog: { source: "app", match: "BACKLOG", actions: ["chat"] } },
    actions: { chat: { type: "discord", url: webhook.url } },
  };
  const configFile = path.join(dir, "logward.json");
  fs.writeFileSync(configFile, JSON.stringify(config));
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(logwardArgv[0], [...logwardArgv.slice(1), "run", "--once", "-c", configFile], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("exit", (c) => resolve(c));
  });
  const seconds = (performance.now() - started) / 1000;
  await webhook.close();
  const delivered = webhook.messages.flatMap((m) => m.split("\n")).filter((l) => l.startsWith("BACKLOG"));
  const inOrder = delivered.length === sent.length && delivered.every((l, i) => l === sent[i]);
  const chars = webhook.messages.reduce((n, m) => n + m.length, 0);
  const fill = webhook.messages.length ? chars / (webhook.messages.length * CONTENT_LIMIT) : 0;
  log(
    `discord: ${lines} lines → ${webhook.messages.length} messages, ${(fill * 100).toFixed(1)} % full, ${webhook.rejected()} answered 429, ${seconds.toFixed(1)} s, exit ${code}`,
  );
  return { lines, messages: webhook.messages.length, fill, inOrder, rejected: webhook.rejected(), seconds, code };
}
