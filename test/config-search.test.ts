// Where a config is found without -c: ./logward.yaml, $XDG_CONFIG_HOME (or ~/.config)/logward, /etc/logward; the
// flag and LOGWARD_CONFIG win; the error lists every place tried.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configSearchPath, resolveConfigPath } from "../src/config/load.js";
import { runLogward, tempDir } from "./helpers.js";

const CONFIG = "sources:\n  app:\n    path: app.log\n";

describe("config search path", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const home = join(tmp.dir, "home");
  const work = join(tmp.dir, "work");
  const xdg = join(tmp.dir, "xdg");
  mkdirSync(work, { recursive: true });

  it("is ./logward.yaml, then $XDG_CONFIG_HOME/logward, then /etc/logward", () => {
    expect(configSearchPath({ XDG_CONFIG_HOME: xdg, HOME: home })).toEqual([
      "logward.yaml",
      join(xdg, "logward", "logward.yaml"),
      "/etc/logward/logward.yaml",
    ]);
    // Unset, empty or relative XDG_CONFIG_HOME: ~/.config.
    for (const value of [undefined, "", "relative/dir"])
      expect(configSearchPath({ XDG_CONFIG_HOME: value, HOME: home })[1]).toBe(
        join(home, ".config", "logward", "logward.yaml"),
      );
  });

  it("finds the user's config through the installed command, and ./logward.yaml and the flag win over it", async () => {
    const user = join(home, ".config", "logward");
    mkdirSync(user, { recursive: true });
    writeFileSync(join(user, "logward.yaml"), CONFIG);
    const env = { HOME: home, XDG_CONFIG_HOME: "", LOGWARD_CONFIG: "" };
    const found = await runLogward(["check"], { cwd: work, env });
    expect(found.stderr).toBe("");
    expect(found.stdout).toContain(`${join(user, "logward.yaml")}: ok`);

    writeFileSync(join(work, "logward.yaml"), CONFIG);
    const local = await runLogward(["check"], { cwd: work, env });
    expect(local.stdout).toContain(`${join(work, "logward.yaml")}: ok`);

    writeFileSync(join(work, "other.yaml"), CONFIG);
    const viaEnv = await runLogward(["check"], { cwd: work, env: { ...env, LOGWARD_CONFIG: "other.yaml" } });
    expect(viaEnv.stdout).toContain(`${join(work, "other.yaml")}: ok`);
    const viaFlag = await runLogward(["check", "-c", join(user, "logward.yaml")], {
      cwd: work,
      env: { ...env, LOGWARD_CONFIG: "other.yaml" },
    });
    expect(viaFlag.stdout).toContain(`${join(user, "logward.yaml")}: ok`);
  });

  it("says every place it tried when there is none", async () => {
    const empty = join(tmp.dir, "empty");
    mkdirSync(empty);
    const env = { XDG_CONFIG_HOME: join(empty, "xdg"), HOME: empty };
    if (resolveConfigPathOr(env) === "/etc/logward/logward.yaml") return; // this machine has a system config
    const run = await runLogward(["check"], { cwd: empty, env: { ...env, LOGWARD_CONFIG: "" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `tried ./logward.yaml, ${join(empty, "xdg", "logward", "logward.yaml")}, /etc/logward/logward.yaml`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

function resolveConfigPathOr(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return resolveConfigPath(undefined, env);
  } catch {
    return undefined;
  }
}
