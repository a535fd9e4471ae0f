// Whatever text a config file holds, loading it ends in a config or a user error, never a crash.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, expect, test } from "vitest";
import { isUserError } from "../core/errors.js";
import { ConfigError } from "./issues.js";
import { loadConfig } from "./testing/kinds.js";
import { tempDir, removeTempDirs } from "./testing/files.js";

afterAll(() => removeTempDirs());

/** YAML-ish fragments near the real keys, so many inputs get past the parser into validation. */
const fragment = fc.constantFrom(
  "sources:",
  "rules:",
  "actions:",
  "web:",
  "stats:",
  "rotate:",
  "log:",
  "state_dir: ~/s",
  "  app:",
  "  r:",
  "    path: /x",
  "    type: t-exec",
  "    type: t-net",
  "    source: app",
  "    actions: [r, app]",
  "    match: /a(b/",
  "    command: x",
  "    threshold: { count: 2, within: 1m }",
  "    parser: t-fmt",
  "    url: ${U:-http://x}",
  "    url: ${U}",
  "  listen: 0.0.0.0:1",
  "  app: &a { path: /y }",
  "  b: *a",
  "  <<: *a",
  "- 1",
  "{",
  "]",
  "\t",
  "'",
  '"\\u',
  "\u0000",
  "${",
  "$$",
  ": :",
  "? x",
  "---",
  "%YAML 1.2",
);

test("random configs load or fail with a UserError that has a message per issue", async () => {
  const dir = tempDir();
  const file = path.join(dir, "logward.yaml");
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(fragment, fc.string()), { maxLength: 14 }), async (lines) => {
      fs.writeFileSync(file, lines.join("\n"));
      try {
        const config = await loadConfig(file, { env: { HOME: "/h" } });
        expect(config.path).toBe(file);
      } catch (err) {
        expect(isUserError(err), String((err as Error)?.stack)).toBe(true);
        if (err instanceof ConfigError) expect(err.message.split("\n")).toHaveLength(err.issues.length);
        else expect((err as Error).message.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 400 },
  );
});
