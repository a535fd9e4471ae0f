// loadConfig on real files: positions of every error, YAML/JSON, env interpolation, .env, legacy input.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { legacyConverters } from "./legacy.js";
import { loadConfig } from "./testing/kinds.js";
import { configError, tempDir, where, removeTempDirs } from "./testing/files.js";

afterAll(() => removeTempDirs());

const HOME = { HOME: "/home/tester" };

describe("every error at once", () => {
  const text = [
    /*  1 */ "sources:",
    /*  2 */ "  app: { path: /var/log/app.log }",
    /*  3 */ "  net: { type: t-net, listen: [udp://127.0.0.1:5514], colour: blue }",
    /*  4 */ "  weird: { type: carrier-pigeon }",
    /*  5 */ "rules:",
    /*  6 */ "  auth-storm:",
    /*  7 */ "    source: app",
    /*  8 */ "    match: authentication failure",
    /*  9 */ "    threshold: { count: five, within: 1m }",
    /* 10 */ "    actions: [ops, pager]",
    /* 11 */ "  slow:",
    /* 12 */ "    source: [app, ghost]",
    /* 13 */ "    cooldown: soon",
    /* 14 */ "    actions: ops",
    /* 15 */ "actions:",
    /* 16 */ "  ops: { type: t-exec }",
    /* 17 */ "  'bad name!': { type: t-exec, command: 'true' }",
    /* 18 */ "web: { listen: 0.0.0.0:8080 }",
    /* 19 */ "colour: blue",
  ].join("\n");

  test("each is reported with file:line:column and key path, in file order", async () => {
    const dir = tempDir({ "logward.yaml": text });
    const file = path.join(dir, "logward.yaml");
    const err = await configError(() => loadConfig(file, { env: HOME }));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(where(err).filter((w) => !w.includes("web."))).toEqual([
      "3:55 sources.net.colour",
      "4:18 sources.weird.type",
      "9:25 rules.auth-storm.threshold.count",
      "10:20 rules.auth-storm.actions[1]",
      "12:19 rules.slow.source[1]",
      "13:15 rules.slow.cooldown",
      "16:8 actions.ops.command",
      "17:3 actions.bad name!",
      "19:1 colour",
    ]);
    // The web check is the web schema's and the cross-check's; one of them reports it, on line 18.
    expect(err.issues.filter((i) => i.path.startsWith("web.")).map((i) => i.line)).toContain(18);
    const lines = err.message.split("\n");
    expect(lines).toHaveLength(err.issues.length);
    expect(lines).toContain(`${file}:9:25 rules.auth-storm.threshold.count: Expected number, received string`);
    expect(lines).toContain(`${file}:3:55 sources.net.colour: unknown key "colour"`);
    expect(lines).toContain(`${file}:16:8 actions.ops.command: Required`);
    expect(err.message).toMatch(
      /sources\.weird\.type: unknown source type "carrier-pigeon" \(known source types: file, t-net/,
    );
    expect(err.message).toMatch(
      /rules\.auth-storm\.actions\[1\]: unknown action "pager" \(defined actions: ops, bad name!\)/,
    );
    expect(err.message).toMatch(
      /rules\.slow\.source\[1\]: unknown source "ghost" \(defined sources: app, net, weird\)/,
    );
    expect(err.message).toMatch(/rules\.slow\.cooldown: invalid duration "soon"/);
    expect(err.message).toMatch(/actions\.bad name!: invalid name/);
    expect(err.message).toMatch(/web\.\w+: .*token/);
  });

  test("a relative path is reported as given", async () => {
    const dir = tempDir({ "logward.yaml": "colour: blue\n" });
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const err = await configError(() => loadConfig("logward.yaml"));
      expect(err.message).toBe('logward.yaml:1:1 colour: unknown key "colour"');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("YAML problems", () => {
  test("a syntax error is CONFIG_PARSE with its position", async () => {
    const dir = tempDir({ "c.yaml": "sources:\n  app: { path: /x\n rules: [\n" });
    const err = await configError(() => loadConfig(path.join(dir, "c.yaml")));
    expect(err.code).toBe("CONFIG_PARSE");
    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.issues[0]?.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/c\.yaml:\d+:\d+ /);
    expect(err.message).not.toMatch(/\n\s*\^/); // no source excerpt: one line per issue
  });

  test("a tab-indented block is a syntax error at its line", async () => {
    const dir = tempDir({ "c.yaml": "sources:\n\tapp: {}\n" });
    const err = await configError(() => loadConfig(path.join(dir, "c.yaml")));
    expect(err.code).toBe("CONFIG_PARSE");
    expect(err.issues[0]?.line).toBe(2);
  });

  test("duplicate names are errors at the second one, with the others", async () => {
    const text = [
      "sources:",
      "  app: { path: /a }",
      "  app: { path: /b }",
      "actions:",
      "  ops: { type: t-exec, command: x, bogus: 1 }",
    ].join("\n");
    const dir = tempDir({ "c.yaml": text });
    const err = await configError(() => loadConfig(path.join(dir, "c.yaml")));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(where(err)).toEqual(["3:3 sources.app", "5:36 actions.ops.bogus"]);
    expect(err.issues[0]?.message).toMatch(/duplicate key "app"/);
  });

  test("a binary file gives a bounded list of syntax errors", async () => {
    const garbage = Array.from({ length: 400 }, (_, i) => `\u0000{[${i}: "\u0001`).join("\n");
    const dir = tempDir({ "c.yaml": garbage });
    const err = await configError(() => loadConfig(path.join(dir, "c.yaml")));
    expect(err.code).toBe("CONFIG_PARSE");
    expect(err.issues.length).toBeLessThanOrEqual(21);
    expect(err.message.split("\n").at(-1)).toMatch(/… and \d+ more syntax errors/);
  });

  test("merge keys share settings between entries", async () => {
    const text = [
      "actions:",
      "  a: &hook { type: t-hook, url: https://a.example, max_retries: 7 }",
      "  b: { <<: *hook, url: https://b.example }",
      "  c: { <<: *hook, retries: 1 }",
    ].join("\n");
    const dir = tempDir({ "c.yaml": text });
    const err = await configError(() => loadConfig(path.join(dir, "c.yaml"), { env: HOME }));
    expect(where(err)).toEqual(["4:19 actions.c.retries"]);
    fs.writeFileSync(path.join(dir, "c.yaml"), text.replace("retries: 1", "max_retries: 1"));
    const config = await loadConfig(path.join(dir, "c.yaml"), { env: HOME });
    expect(config.actions.b).toMatchObject({ type: "t-hook", url: "https://b.example", max_retries: 7 });
    expect(config.actions.c).toMatchObject({ url: "https://a.example", max_retries: 1 });
  });

  test("an empty file is an empty config", async () => {
    const dir = tempDir({ "c.yaml": "# nothing yet\n" });
    const config = await loadConfig(path.join(dir, "c.yaml"), { env: HOME });
    expect(config).toMatchObject({
      sources: {},
      rules: {},
      stats: {},
      actions: {},
      rotate: {},
      log: { level: "info" },
    });
    expect(config.web).toBeUndefined();
    expect(config.path).toBe(path.join(dir, "c.yaml"));
  });

  test("a list at the top is reported, not crashed on", async () => {
    const dir = tempDir({ "c.yaml": "- a\n- b\n" });
    const err = await configError(() => loadConfig(path.join(dir, "c.yaml")));
    expect(err.message).toMatch(/c\.yaml:1:1 Expected object, received array/);
  });

  test("a missing file is CONFIG_NOT_FOUND", async () => {
    await expect(loadConfig("/nonexistent/logward.yaml")).rejects.toMatchObject({ code: "CONFIG_NOT_FOUND" });
  });
});

describe("JSON", () => {
  const json = JSON.stringify(
    {
      sources: { app: { path: "/var/log/app.log" } },
      rules: { r: { source: "app", match: "/ERROR (?<code>\\d+)/", actions: ["run"] } },
      actions: { run: { type: "t-exec", command: "echo hi", timeout: "5s" } },
    },
    null,
    "\t",
  );

  test("a JSON config (tab-indented) loads", async () => {
    const dir = tempDir({ "logward.json": json });
    const config = await loadConfig(path.join(dir, "logward.json"), { env: HOME });
    expect(config.actions.run).toEqual({ type: "t-exec", command: "echo hi", timeout: 5000 });
    expect(config.rules.r?.match).toEqual(["/ERROR (?<code>\\d+)/"]);
  });

  test("JSON errors have positions too", async () => {
    const dir = tempDir({ "logward.json": json.replace('"5s"', '"5 parsecs"') });
    const err = await configError(() => loadConfig(path.join(dir, "logward.json")));
    const line = json.split("\n").findIndex((l) => l.includes('"5s"')) + 1;
    expect(where(err)).toEqual([`${line}:15 actions.run.timeout`]);
  });
});

describe("environment", () => {
  const text = [
    "state_dir: ${STATE:-~/state}",
    "sources:",
    "  app: { path: '${LOG_DIR}/app.log' }",
    "actions:",
    '  hook: { type: t-hook, url: "${HOOK_URL}", headers: { Authorization: "Bearer ${TOKEN}" } }',
    "  run: { type: t-exec, command: 'echo $$HOME costs $$5' }",
    "  retry:",
    "    type: t-hook",
    "    url: https://example.org/${PATH_PART:-retry}",
    "    max_retries: ${RETRIES:-4}  # plain: typed as if 4 were written here",
    "    token: '${RETRIES:-4}'  # quoted: stays a string",
  ].join("\n");

  test("${VAR}, ${VAR:-default}, $$, typed plain scalars, ~ expansion", async () => {
    const dir = tempDir({ "logward.yaml": text });
    const env = { ...HOME, LOG_DIR: "/logs", HOOK_URL: "https://example.org/h", TOKEN: "t0k" };
    const config = await loadConfig(path.join(dir, "logward.yaml"), { env });
    expect(config.state_dir).toBe("/home/tester/state");
    expect(config.sources.app).toMatchObject({ type: "file", path: "/logs/app.log" });
    expect(config.actions.hook).toMatchObject({
      url: "https://example.org/h",
      headers: { Authorization: "Bearer t0k" },
    });
    expect(config.actions.retry).toMatchObject({ url: "https://example.org/retry", max_retries: 4, token: "4" });
    expect(config.actions.run).toMatchObject({ command: "echo $HOME costs $5" });
  });

  test(".env beside the config fills in, the environment wins", async () => {
    const dotenv = "LOG_DIR=/from-dotenv\nHOOK_URL='https://dotenv.example/x'\nTOKEN=dotenv-token\n";
    const dir = tempDir({ "logward.yaml": text, ".env": dotenv });
    const config = await loadConfig(path.join(dir, "logward.yaml"), { env: { ...HOME, TOKEN: "env-token" } });
    expect(config.sources.app).toMatchObject({ path: "/from-dotenv/app.log" });
    expect(config.actions.hook).toMatchObject({
      url: "https://dotenv.example/x",
      headers: { Authorization: "Bearer env-token" },
    });
  });

  test("unset variables are errors naming the variable and its position, alongside other errors", async () => {
    const dir = tempDir({ "logward.yaml": text + "\nbogus: 1\n" });
    const err = await configError(() =>
      loadConfig(path.join(dir, "logward.yaml"), { env: { ...HOME, LOG_DIR: "/l" } }),
    );
    expect(where(err)).toEqual(["5:30 actions.hook.url", "5:71 actions.hook.headers.Authorization", "12:1 bogus"]);
    expect(err.issues[0]?.message).toMatch(/environment variable HOOK_URL is not set/);
    expect(err.issues[1]?.message).toMatch(/TOKEN/);
  });

  test("an unquoted numeric ${VAR} where text is expected says to quote it", async () => {
    const dir = tempDir({ "logward.yaml": "web:\n  listen: 127.0.0.1:0\n  token: ${WEB_TOKEN}\n" });
    const err = await configError(() =>
      loadConfig(path.join(dir, "logward.yaml"), { env: { ...HOME, WEB_TOKEN: "123456" } }),
    );
    expect(err.message).toMatch(
      new RegExp(
        "logward\\.yaml:3:10 web\\.token: Expected string, received number " +
          "\\(the value came from \\$\\{\\.\\.\\.\\} unquoted: quote it",
      ),
    );
    const quoted = tempDir({ "logward.yaml": 'web:\n  listen: 127.0.0.1:0\n  token: "${WEB_TOKEN}"\n' });
    const config = await loadConfig(path.join(quoted, "logward.yaml"), { env: { ...HOME, WEB_TOKEN: "123456" } });
    expect(config.web?.token).toBe("123456");
  });

  test("the default state_dir follows XDG_STATE_HOME, else ~/.local/state", async () => {
    const dir = tempDir({ "logward.yaml": "log: { file: ~/logward.log }\npid_file: ~/run/logward.pid\n" });
    const file = path.join(dir, "logward.yaml");
    const plain = await loadConfig(file, { env: HOME });
    expect(plain.state_dir).toBe("/home/tester/.local/state/logward");
    expect(plain.log.file).toBe("/home/tester/logward.log");
    expect(plain.pid_file).toBe("/home/tester/run/logward.pid");
    const xdg = await loadConfig(file, { env: { ...HOME, XDG_STATE_HOME: "/xdg/state" } });
    expect(xdg.state_dir).toBe("/xdg/state/logward");
  });
});

describe("legacy formats", () => {
  test("a converter's result is validated and its hint kept", async () => {
    const convert = (raw: unknown) =>
      raw !== null && typeof raw === "object" && "oldFiles" in raw
        ? {
            config: { rotate: { old: { path: (raw as { oldFiles: string }).oldFiles, bogus: true } } },
            hint: "converted from the old format",
          }
        : undefined;
    let converters = [...legacyConverters, convert];
    const dir = tempDir({
      "old.json": '{"oldFiles": "/var/log/x.log"}',
      "ok.json": '{"rotate": {"a": {"path": "/a.log"}}}',
    });
    const err = await configError(() => loadConfig(path.join(dir, "old.json"), { legacyConverters: converters }));
    expect(err.issues).toEqual([
      { file: path.join(dir, "old.json"), path: "rotate.old.bogus", message: 'unknown key "bogus"' },
    ]);
    const plain = await loadConfig(path.join(dir, "ok.json"), { env: HOME, legacyConverters: converters });
    expect(plain.hints).toBeUndefined();
    fs.writeFileSync(path.join(dir, "old.json"), '{"oldFiles": "/var/log/y.log"}');
    converters = [
      ...legacyConverters,
      (raw) => {
        const result = convert(raw);
        return result && { ...result, config: { rotate: { old: { path: "/var/log/y.log" } } } };
      },
    ];
    const converted = await loadConfig(path.join(dir, "old.json"), { env: HOME, legacyConverters: converters });
    expect(converted.rotate.old).toMatchObject({ path: "/var/log/y.log" });
    expect(converted.hints).toEqual(["converted from the old format"]);
  });
});
