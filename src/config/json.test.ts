// readJsonConfig against the YAML path it stands in for: the same value for every JSON object, or no answer at all.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { interpolateDocument, parseConfigText } from "./document.js";
import type { Env } from "./env.js";
import { readJsonConfig } from "./json.js";
import { loadConfig } from "./testing/kinds.js";
import { configError, removeTempDirs, tempDir } from "./testing/files.js";

afterAll(() => removeTempDirs());

const ENV: Env = { HOST: "example.org", EMPTY: "", N: "5" };

/** What the YAML path makes of the text: its value after interpolation, or undefined when it finds a problem. */
function throughYaml(text: string, env: Env): unknown {
  const { doc, problems } = parseConfigText(text);
  if (problems.length > 0) return undefined;
  const { unresolved } = interpolateDocument(doc, env);
  return unresolved.length > 0 ? undefined : doc.toJS({ maxAliasCount: 1000 });
}

/** Strings that reach the interpolation's corners: references set, unset, defaulted, broken, escaped. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("${HOST}", "${NOPE}", "${NOPE:-x}", "${EMPTY:-d}", "$${HOST}", "${", "${1x}", "$(cmd) $HOME", "${N}"),
  fc.constantFrom("<<", "__proto__", "key: value", "- item", "#", "&a", "*a", "!tag", "~", "null", "1e3", "0x1F"),
);
const value = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 4 }),
  ),
})).value;
/** JSON.stringify's layouts and a few more: tabs, CRLF, spaces around colons. */
const layout = fc.constantFrom<(json: string) => string>(
  (json) => json,
  (json) => json.replace(/\n/g, "\r\n"),
  (json) => json.replace(/":/g, '" :'),
  (json) => `\n  ${json}\n`,
);

describe("readJsonConfig", () => {
  test("gives the YAML path's value for every JSON object, or leaves it to the YAML path", () => {
    fc.assert(
      fc.property(fc.dictionary(text, value), fc.constantFrom(0, 2, "\t"), layout, (object, indent, shape) => {
        const json = shape(JSON.stringify(object, null, indent));
        const quick = readJsonConfig(json, ENV);
        const slow = throughYaml(json, ENV);
        if (quick !== undefined) expect(quick).toStrictEqual(slow);
        // It declines only what the YAML path declines too: an unresolved reference.
        else expect(slow).toBeUndefined();
      }),
      { seed: 16, numRuns: 400 },
    );
  });

  test("leaves a key named twice in one object to the YAML path, which reports it", () => {
    fc.assert(
      fc.property(fc.dictionary(text, value, { minKeys: 1 }), fc.nat(), (object, pick) => {
        const keys = Object.keys(object);
        const key = JSON.stringify(keys[pick % keys.length]);
        const inner = JSON.stringify({ inner: object });
        const twice = inner.replace(/^\{"inner":\{/, () => `{"inner":{${key}:1,`);
        expect(readJsonConfig(twice, ENV)).toBeUndefined();
        expect(parseConfigText(twice).problems.map((p) => p.code)).toContain("DUPLICATE_KEY");
      }),
      { seed: 16, numRuns: 200 },
    );
  });

  test("leaves YAML, non-objects and broken JSON to the YAML path", () => {
    for (const notJson of ["sources: {}", "[1]", '"x"', "{sources: {}}", '{"a":1,}', '{"a":1} // note', ""])
      expect(readJsonConfig(notJson, ENV)).toBeUndefined();
  });
});

describe("a JSON config file", () => {
  const rules = { r: { source: "app", match: "/a+b/", actions: ["ops"] } };
  const valid = {
    sources: { app: { path: "/var/log/${HOST}.log" } },
    rules,
    actions: { ops: { type: "t-exec", command: "true" } },
  };

  test("loads to the same config as the same settings written in YAML", async () => {
    const yaml = [
      "sources: { app: { path: '/var/log/${HOST}.log' } }",
      "rules: { r: { source: app, match: '/a+b/', actions: [ops] } }",
      "actions: { ops: { type: t-exec, command: 'true' } }",
    ].join("\n");
    const dir = tempDir({ "c.json": JSON.stringify(valid), "c.yaml": yaml });
    const fromJson = await loadConfig(path.join(dir, "c.json"), { env: ENV });
    const fromYaml = await loadConfig(path.join(dir, "c.yaml"), { env: ENV });
    expect({ ...fromJson, path: "" }).toStrictEqual({ ...fromYaml, path: "" });
    expect(fromJson.sources.app).toMatchObject({ path: "/var/log/example.org.log" });
  });

  test("with a mistake, reports it at its line and column as the YAML path does", async () => {
    const mistaken = { ...valid, rules: { r: { ...rules.r, cooldown: "soon" } }, colour: "blue" };
    const dir = tempDir({ "c.json": JSON.stringify(mistaken, null, 2) });
    const file = path.join(dir, "c.json");
    const err = await configError(() => loadConfig(file, { env: ENV }));
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const cooldown = err.issues.find((issue) => issue.path === "rules.r.cooldown");
    expect(cooldown?.line).toBe(lines.findIndex((line) => line.includes('"soon"')) + 1);
    expect(err.issues.find((issue) => issue.path === "colour")?.line).toBeGreaterThan(1);
  });
});
