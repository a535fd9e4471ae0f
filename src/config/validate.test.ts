// validateConfig for configs built in code, the composed schema, cross-checks and config path lookup.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import * as z from "zod";
import type { SourceKind } from "../core/component.js";
import { resolveConfigPath } from "./load.js";
import { testKinds, validateConfig } from "./testing/kinds.js";
import { configErrorSync as catchSync, tempDir, removeTempDirs } from "./testing/files.js";

afterAll(() => removeTempDirs());

const env = { HOME: "/home/tester" };
const base = {
  sources: { app: { path: "/var/log/app.log" } },
  actions: { run: { type: "t-exec", command: "true" } },
};

describe("validateConfig", () => {
  test("a valid config gets defaults and normalised shapes", () => {
    const config = validateConfig(
      {
        ...base,
        sources: {
          app: { path: "/a.log", parser: "t-fmt" },
          net: { type: "t-net", listen: ["udp://127.0.0.1:1"], parser: { type: "t-fmt", strict: true } },
        },
        rules: { r: { source: "app", match: "ERROR", actions: "run", cooldown: "3s" } },
        stats: { s: { source: "app", interval: "5s" } },
      },
      { env },
    );
    expect(config.sources.app).toMatchObject({
      type: "file",
      path: "/a.log",
      parser: { type: "t-fmt", strict: false },
    });
    expect(config.sources.net).toEqual({
      type: "t-net",
      listen: ["udp://127.0.0.1:1"],
      parser: { type: "t-fmt", strict: true },
    });
    expect(config.rules.r).toMatchObject({ source: ["app"], match: ["ERROR"], actions: ["run"], cooldown: 3000 });
    expect(config.stats.s).toMatchObject({ source: "app", interval: 5000, top: 10 });
    expect(config.actions.run).toEqual({ type: "t-exec", command: "true", timeout: 30_000 });
    expect(config.path).toBeUndefined();
    expect(config.state_dir).toBe("/home/tester/.local/state/logward");
  });

  test("errors carry key paths but no positions, prefixed by the origin", () => {
    const err = catchSync(() =>
      validateConfig(
        { ...base, rules: { r: { source: "app", match: "/(/", actions: ["run", "nope"] } } },
        { origin: "watch flags" },
      ),
    );
    expect(err.issues.every((i) => i.line === undefined && i.file === undefined)).toBe(true);
    expect(err.message.split("\n")).toEqual([
      expect.stringMatching(/^watch flags: rules\.r\.match: invalid regex \/\(\/: /),
      'watch flags: rules.r.actions[1]: unknown action "nope" (defined actions: run)',
    ]);
  });

  test("unknown source, parser and action types list the known ones", () => {
    const err = catchSync(() =>
      validateConfig({
        sources: {
          a: { type: "kafka" },
          b: { path: "/b", parser: "klingon" },
          c: { path: "/c", parser: { strict: true } },
        },
        actions: { x: { type: "pager" }, y: { command: "true" } },
      }),
    );
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path, i.message]));
    expect(byPath["sources.a.type"]).toMatch(/^unknown source type "kafka" \(known source types: file, t-net\)/);
    expect(byPath["sources.b.parser"]).toMatch(/^unknown parser type "klingon" \(known parser types: t-fmt\)/);
    expect(byPath["sources.c.parser.type"]).toMatch(/^Required: the parser type/);
    expect(byPath["actions.x.type"]).toMatch(/^unknown action type "pager" \(known action types: t-hook, t-exec\)/);
    expect(byPath["actions.y.type"]).toMatch(/^Required: the action type/);
    expect(err.issues).toHaveLength(5);
  });

  test("a kind registered later is known at the next call (the schema is composed per call)", () => {
    const raw = { sources: { late: { type: "t-late", depth: 3 } } };
    const sources: SourceKind[] = [...testKinds.sources];
    const kinds = { ...testKinds, sources };
    expect(() => validateConfig(raw, { kinds })).toThrow(/unknown source type "t-late"/);
    const late = {
      type: "t-late",
      schema: z.strictObject({ depth: z.number() }),
      create: () => {
        throw new Error("unused");
      },
    };
    sources.push(late);
    expect(validateConfig(raw, { kinds }).sources.late).toEqual({ type: "t-late", depth: 3 });
  });

  test("a kind whose schema throws gets an issue, not a crash", () => {
    const throwing = {
      type: "t-throw",
      schema: z.strictObject({
        level: z.number().transform((n) => {
          if (n > 3) throw new Error(`level ${n} is too deep`);
          return n;
        }),
      }),
      create: () => {
        throw new Error("unused");
      },
    };
    const kinds = { ...testKinds, sources: [...testKinds.sources, throwing] };
    const err = catchSync(() => validateConfig({ sources: { s: { type: "t-throw", level: 9 } } }, { kinds }));
    expect(err.message).toBe("sources.s: level 9 is too deep");
  });

  test("missing sources and actions are named, with what exists", () => {
    const err = catchSync(() =>
      validateConfig({
        ...base,
        rules: { r: { source: ["app", "gone"], actions: "later" } },
        stats: { s: { source: "nothing", actions: ["run", "ghost"] } },
      }),
    );
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rules.r.source[1]: unknown source "gone" (defined sources: app)',
      'rules.r.actions: unknown action "later" (defined actions: run)',
      'stats.s.source: unknown source "nothing" (defined sources: app)',
      'stats.s.actions[1]: unknown action "ghost" (defined actions: run)',
    ]);
  });

  test("with no actions defined, the message says so", () => {
    const err = catchSync(() =>
      validateConfig({ sources: base.sources, rules: { r: { source: "app", actions: "x" } } }),
    );
    expect(err.message).toBe('rules.r.actions: unknown action "x" (no actions are defined)');
  });

  test("a source that exists but is invalid is not also reported missing", () => {
    const err = catchSync(() =>
      validateConfig({ ...base, sources: { app: { type: "t-net" } }, rules: { r: { source: "app", actions: "run" } } }),
    );
    expect(err.issues.map((i) => i.path)).toEqual(["sources.app.listen"]);
  });

  test("names must be letters, digits, _ . -", () => {
    const err = catchSync(() =>
      validateConfig({ sources: { "my app": { path: "/a" }, "ok_name.v-2": { path: "/b" } } }),
    );
    expect(err.issues.map((i) => i.path)).toEqual(["sources.my app"]);
  });

  test("unknown keys anywhere are errors, one per key", () => {
    const err = catchSync(() =>
      validateConfig({
        ...base,
        logs: {},
        log: { level: "loud", colour: true },
        rules: { r: { source: "app", actions: "run", threshold: { count: 2, within: "1m", per: "host" } } },
        web: { listen: "127.0.0.1:0", tls: true },
      }),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      "log.colour",
      "log.level",
      "logs",
      "rules.r.threshold.per",
      "web.tls",
    ]);
    expect(err.message).toContain(
      'log.level: Expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", received "loud"',
    );
  });

  test("wrong types in sections and entries", () => {
    const err = catchSync(() =>
      validateConfig({
        sources: ["a"],
        actions: { a: "exec" },
        rules: { r: { source: 5, actions: [] }, q: { source: "a" } },
      }),
    );
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "sources: Expected map, received array",
      "rules.r.source: Expected string or array, received number",
      expect.stringMatching(/^rules\.r\.actions: Too small/),
      "rules.q.actions: Required",
      "actions.a: Expected object, received string",
    ]);
  });

  describe("web", () => {
    test.each(["0.0.0.0:8080", "192.168.1.5:80", "[::]:8080", "example.org:80"])(
      "%s without a token is an error",
      (listen) => {
        const err = catchSync(() => validateConfig({ web: { listen } }));
        expect(err.issues).toHaveLength(1);
        expect(err.issues[0]?.path).toMatch(/^web\./);
        expect(err.message).toMatch(/token/);
      },
    );

    test.each(["127.0.0.1:8080", "localhost:80", "[::1]:8080", "127.1.2.3:9", ":8080", "8080"])(
      "%s without a token is fine",
      (listen) => {
        expect(validateConfig({ web: { listen } }).web?.listen).toBe(listen);
      },
    );

    test("a non-loopback address with a token is fine; an empty token is no token", () => {
      expect(validateConfig({ web: { listen: "0.0.0.0:8080", token: "s3cret" } }).web?.token).toBe("s3cret");
      expect(() => validateConfig({ web: { listen: "0.0.0.0:8080", token: "" } })).toThrow(/token/);
    });

    test("absent web is off; `web:` with nothing is the defaults", () => {
      expect(validateConfig({}).web).toBeUndefined();
      expect(validateConfig({ web: null }).web).toMatchObject({ listen: "127.0.0.1:8080" });
    });
  });
});

describe("resolveConfigPath", () => {
  const cwd = process.cwd();
  const inDir = <T>(dir: string, run: () => T): T => {
    process.chdir(dir);
    try {
      return run();
    } finally {
      process.chdir(cwd);
    }
  };

  test("the flag wins, then LOGWARD_CONFIG, then ./logward.yaml", () => {
    const dir = tempDir({ "logward.yaml": "", "flag.yaml": "", "env.yaml": "" });
    inDir(dir, () => {
      expect(resolveConfigPath("flag.yaml", { LOGWARD_CONFIG: "env.yaml" })).toBe("flag.yaml");
      expect(resolveConfigPath(undefined, { LOGWARD_CONFIG: "env.yaml" })).toBe("env.yaml");
      expect(resolveConfigPath(undefined, {})).toBe("logward.yaml");
    });
  });

  test("a named file that does not exist is an error naming it", () => {
    const dir = tempDir({ "logward.yaml": "" });
    inDir(dir, () => {
      expect(() => resolveConfigPath("missing.yaml", {})).toThrow(
        expect.objectContaining({ code: "CONFIG_NOT_FOUND", message: expect.stringContaining("missing.yaml") }),
      );
      expect(() => resolveConfigPath(undefined, { LOGWARD_CONFIG: "gone.yaml" })).toThrow(
        /gone\.yaml \(from LOGWARD_CONFIG\) not found/,
      );
    });
  });

  test("with nothing anywhere, the error names every place tried", () => {
    if (fs.existsSync("/etc/logward/logward.yaml")) return void expect(resolveConfigPath(undefined, {})).toBeTruthy();
    const dir = tempDir();
    const env = { XDG_CONFIG_HOME: path.join(dir, "xdg") };
    inDir(dir, () => {
      expect(() => resolveConfigPath(undefined, env)).toThrow(expect.objectContaining({ code: "CONFIG_NOT_FOUND" }));
      expect(() => resolveConfigPath(undefined, env)).toThrow(
        `tried ./logward.yaml, ${dir}/xdg/logward/logward.yaml, /etc/logward/logward.yaml`,
      );
    });
    expect(path.isAbsolute(dir)).toBe(true);
  });
});
