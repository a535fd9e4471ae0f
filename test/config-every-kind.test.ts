// A config naming every kind, with mistakes in each: the YAML library, the document helpers and a legacy config's
// hint load only when needed now, and `check` must still name every mistake with its place, JSON as YAML.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLogward, tempDir } from "./helpers.js";

function badConfig(dir: string): Record<string, unknown> {
  const log = join(dir, "a.log");
  writeFileSync(log, "");
  return {
    state_dir: join(dir, "state"),
    sources: {
      f: { path: log, parser: "nope" },
      s: { type: "stdin", parser: { type: "json" } },
      y: { type: "syslog", listen: 7 },
      n: { type: "nats", servers: ["nats://127.0.0.1:4222"], stream: 3, consumer: "c" },
      j: { type: "journald" },
      zz: { type: "bogus" },
    },
    rules: {
      r1: { source: "f", match: "/GET (/", actions: ["fi", "missing"] },
      r2: { source: "s", threshold: { count: 0, within: "soon" }, actions: "fi" },
      r3: { source: "n", absent: "10m", cooldown: "1m", actions: "co" },
      "bad name": { source: "nosuch", match: 5, actions: [] },
    },
    actions: {
      d: { type: "discord", url: "not a url" },
      sl: { type: "slack" },
      h: { type: "http", url: "http://127.0.0.1:9/x", bogus: 1 },
      e: { type: "exec", command: [] },
      fi: { type: "file", path: join(dir, "out.ndjson") },
      co: { type: "console" },
      na: { type: "nats", servers: ["nats://127.0.0.1:4222"] },
      em: { type: "email", to: "not-an-email", from: "b@example.com", smtp: "smtp://127.0.0.1:25" },
      xx: { type: "fax" },
    },
  };
}

/** YAML of plain JSON data, keys and scalars quoted as JSON (valid YAML). */
function yamlOf(value: unknown, indent = ""): string {
  if (Array.isArray(value))
    return value.length ? value.map((v) => `\n${indent}- ${yamlOf(v, indent + "  ").trimStart()}`).join("") : " []";
  if (value !== null && typeof value === "object")
    return Object.entries(value)
      .map(
        ([k, v]) =>
          `\n${indent}${JSON.stringify(k)}:${typeof v === "object" && v ? "" : " "}${yamlOf(v, indent + "  ")}`,
      )
      .join("");
  return JSON.stringify(value);
}

/** `file:line:col path: message` lines without the file's name and place, to compare JSON with YAML. */
const issues = (stderr: string, file: string): string[] =>
  stderr
    .split("\n")
    .filter((line) => line.includes(file))
    .map((line) => line.slice(line.indexOf(file)).replace(/^\S+:\d+:\d+ /, ""))
    .sort();

describe("check on a config naming every kind, with mistakes", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("places every mistake at its line in JSON as in YAML, and exits 2", async () => {
    const config = badConfig(tmp.dir);
    const json = join(tmp.dir, "bad.json");
    const yaml = join(tmp.dir, "bad.yaml");
    writeFileSync(json, JSON.stringify(config, null, 2));
    writeFileSync(yaml, yamlOf(config).trimStart() + "\n");
    const [fromJson, fromYaml] = await Promise.all([
      runLogward(["check", "-c", json]),
      runLogward(["check", "-c", yaml]),
    ]);
    expect(fromJson.code).toBe(2);
    expect(fromYaml.code).toBe(2);
    // Every issue carries line and column (the document helpers were loaded for the JSON file too).
    const placed = fromJson.stderr.split("\n").filter((line) => line.includes(json));
    for (const line of placed) expect(line).toMatch(/bad\.json:\d+:\d+ /);
    const found = issues(fromJson.stderr, json);
    expect(found).toEqual(issues(fromYaml.stderr, yaml));
    expect(found.length).toBeGreaterThanOrEqual(15);
    for (const path of ["sources.zz.type", "rules.r1.match", "rules.r1.actions[1]", "actions.xx.type", "actions.em.to"])
      expect(
        found.some((issue) => issue.startsWith(path)),
        path,
      ).toBe(true);
    expect(fromJson.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);

  it("still hints the YAML to use for the old rotation script's JSON config (its writer loaded on demand)", async () => {
    const legacy = join(tmp.dir, "legacy.json");
    writeFileSync(legacy, JSON.stringify({ log_dir: tmp.dir, active_log: "a.log", rotation: { max_size_mb: 5 } }));
    const out = await runLogward(["check", "-c", legacy]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(`hint: this is the old rotation script's JSON config`);
    expect(out.stderr).toContain(`rotate:\n  a:\n    path: ${join(tmp.dir, "a.log")}\n    max_size: 5MiB`);
  }, 60_000);
});
