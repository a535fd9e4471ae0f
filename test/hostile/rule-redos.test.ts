// A config rule whose regex backtracks catastrophically (and that V8's linear fallback cannot take) meets hostile
// lines: a real `run --once` finishes, the other rules act on every line, and the slow rule is named once.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runLogward, tempDir } from "../helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-rule-redos-")));
afterEach(() => cleanup());

it("a backtracking /i rule is time-boxed per line; the others see every line; the warning comes once", async () => {
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) lines.push(`ab ${"a".repeat(40 + i)}!`, `ERROR request ${i} failed`); // "ab": past the prefilter
  lines.push("xAAAB");
  writeFileSync(join(dir, "app.log"), lines.join("\n") + "\n");
  const cfg = join(dir, "logward.yaml");
  writeFileSync(
    cfg,
    [
      `state_dir: ${dir}/state`,
      `sources: { app: { path: "${dir}/app.log", start_at: beginning } }`,
      "rules:",
      '  risky: { source: app, match: "/(a+)+b$/i", actions: [archive] }',
      "  errors: { source: app, match: ERROR, actions: [archive] }",
      `actions: { archive: { type: file, path: "${dir}/events.ndjson" } }`,
    ].join("\n"),
  );
  const check = await runLogward(["check", "-c", cfg]);
  expect(check.stdout + check.stderr).toMatch(/rule risky: pattern .* time budget per line/);

  const started = performance.now();
  const r = await runLogward(["run", "-c", cfg, "--once", "--log-format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  // 20 hostile lines at 100 ms each at most; without the budget one line alone takes hours.
  expect(performance.now() - started).toBeLessThan(20_000);
  const events = readFileSync(join(dir, "events.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { rule: string; line: string });
  expect(events.filter((e) => e.rule === "errors")).toHaveLength(20);
  expect(events.filter((e) => e.rule === "risky").map((e) => e.line)).toEqual(["xAAAB"]);
  const warnings = (r.stdout + r.stderr).split("\n").filter((l) => l.includes("ran out of its time budget"));
  expect(warnings).toHaveLength(1);
});
