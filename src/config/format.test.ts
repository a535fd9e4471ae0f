// formatConfig: the resolved pipeline for `logward check`, with secrets masked.
import { describe, expect, test } from "vitest";
import { formatSize } from "./format.js";
import { maskUrl, maskValue } from "./mask.js";
import { formatConfig, validateConfig } from "./testing/kinds.js";

const SECRETS = ["T0KEN-abc", "hunter2", "XyZsecretPath", "B0000/xxxx", "dbpass"];

function pipeline() {
  return validateConfig(
    {
      state_dir: "/var/lib/logward",
      log: { level: "debug", file: "/var/log/logward.log" },
      sources: {
        app: { path: "/var/log/myapp/*.log", rescan: "1m" },
        access: { path: "/var/log/nginx/access.log", parser: "t-fmt" },
        bus: { type: "t-net", listen: ["tcp://0.0.0.0:5514"], servers: "nats://user:dbpass@10.0.0.1:4222" },
      },
      rules: {
        "restart-on-oom": {
          source: "app",
          match: "/OutOfMemoryError|Killed process/",
          actions: "restart",
          cooldown: "3s",
        },
        "auth-storm": {
          source: "app",
          match: "authentication failure",
          threshold: { count: 5, within: "1m" },
          actions: ["discord", "hook"],
        },
        "ship-all": { source: ["app", "bus"], actions: "discord" },
      },
      stats: { "web-traffic": { source: "access", alert: { above: 10, over: "2m" }, actions: "hook" } },
      actions: {
        restart: { type: "t-exec", command: "systemctl restart myapp", timeout: "30s" },
        discord: {
          type: "t-hook",
          url: "https://discord.com/api/webhooks/123456/XyZsecretPath",
          batch: { size: 10, timeout: "30s" },
        },
        hook: {
          type: "t-hook",
          url: "https://hooks.slack.com/services/T0000/B0000/xxxx?token=T0KEN-abc",
          headers: { Authorization: "Bearer hunter2" },
          token: "T0KEN-abc",
        },
      },
      rotate: { app: { path: "/var/log/myapp/app.log", max_size: "10MiB", max_age: "7d", compress: true } },
      web: { listen: "0.0.0.0:8080", token: "hunter2" },
    },
    { env: { HOME: "/home/tester" } },
  );
}

describe("formatConfig", () => {
  test("shows sources, rules → actions, stats, actions, rotate and web in their units", () => {
    const text = formatConfig(pipeline());
    const line = (needle: string) => text.split("\n").find((l) => l.includes(needle)) ?? `(no line with ${needle})`;
    expect(line("state_dir")).toMatch(/\/var\/lib\/logward$/);
    expect(line("log ")).toMatch(/debug, to \/var\/log\/logward\.log/);
    expect(text).toMatch(/^sources \(3\)$/m);
    expect(line("  app ")).toMatch(/file\s+path=\/var\/log\/myapp\/\*\.log .*rescan=1m/);
    expect(line("  access ")).toMatch(/parser=t-fmt\(strict=false\)/);
    expect(line("restart-on-oom")).toMatch(/app → restart, match \/OutOfMemoryError\|Killed process\/, cooldown 3s/);
    expect(line("auth-storm")).toMatch(/app → discord, hook, match "authentication failure", threshold 5 within 1m$/);
    expect(line("ship-all")).toMatch(/app, bus → discord, every line/);
    expect(line("web-traffic")).toMatch(/access → hook, every 10s, top 10, alert above 10 req\/s over 2m/);
    expect(line("  restart ")).toMatch(/t-exec\s+command="systemctl restart myapp" timeout=30s/);
    expect(line("  discord ")).toMatch(/batch=\{size=10 timeout=30s\}/);
    expect(line("  discord ")).toMatch(/timeout=10s max_bytes=1MiB/);
    expect(line("/var/log/myapp/app.log")).toMatch(/max_size=10MiB max_age=7d .*compress=true/);
    expect(line("web ")).toMatch(/listen 0\.0\.0\.0:8080, token required/);
    expect(text.endsWith("\n")).toBe(false);
  });

  test("never prints a secret", () => {
    const text = formatConfig(pipeline());
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain("url=https://discord.com/api/webhooks/…");
    expect(text).toContain("url=https://hooks.slack.com/services/…");
    expect(text).toContain("headers={Authorization=***}");
    expect(text).toContain("token=***");
    expect(text).toContain("servers=nats://…@10.0.0.1:4222");
  });

  test("an empty config says what is not there", () => {
    const text = formatConfig(validateConfig({}, { env: { HOME: "/h" } }));
    expect(text).toMatch(/^sources \(none\)$/m);
    expect(text).toMatch(/^rules \(none\)$/m);
    expect(text).toMatch(/^web\s+off$/m);
  });
});

describe("masking", () => {
  test.each([
    ["https://discord.com/api/webhooks/123/abc", "https://discord.com/api/webhooks/…"],
    ["https://discordapp.com/api/webhooks/123/abc", "https://discordapp.com/api/webhooks/…"],
    ["https://hooks.slack.com/services/T0/B0/x", "https://hooks.slack.com/services/…"],
    ["https://example.org/alerts", "https://example.org/…"],
    ["https://ntfy.sh/mytopic", "https://ntfy.sh/…"],
    ["https://example.org/v1/hooks?key=abc", "https://example.org/v1/hooks/…"],
    ["https://example.org/", "https://example.org"],
    ["https://user:pw@example.org", "https://…@example.org"],
    ["nats://127.0.0.1:4222", "nats://127.0.0.1:4222"],
  ])("%s → %s", (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
  });

  test("secret-looking keys and header maps are masked whatever their value", () => {
    expect(maskValue("token", "abc")).toBe("***");
    expect(maskValue("password", 1234)).toBe("***");
    expect(maskValue("api_key", "k")).toBe("***");
    expect(maskValue("headers", { "X-Anything": "v", Authorization: "Bearer x" })).toEqual({
      "X-Anything": "***",
      Authorization: "***",
    });
    expect(maskValue("command", "echo hi")).toBe("echo hi");
    expect(maskValue("token", "")).toBe("");
  });
});

test("formatSize picks the exact unit", () => {
  expect([formatSize(1024 * 1024), formatSize(10_000_000), formatSize(1500), formatSize(0), formatSize(2048)]).toEqual([
    "1MiB",
    "10MB",
    "1500B",
    "0B",
    "2KiB",
  ]);
});
