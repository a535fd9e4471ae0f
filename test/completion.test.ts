// `logward completion`: the bash script completes command words, each command's flags, and skips global flag values.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runLogward } from "./helpers.js";

/** What bash's completion offers for a command line (the last word is the one being completed). */
function complete(script: string, words: string[]): string[] {
  const probe = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_logward; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = spawnSync("bash", ["--norc", "-c", probe], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return run.stdout.split("\n").filter(Boolean).sort();
}

describe("logward completion", () => {
  it("bash: commands, their flags, subcommands and shells; global flag values are not taken for a command", async () => {
    const { code, stdout: script } = await runLogward(["completion", "bash"]);
    expect(code).toBe(0);
    expect(complete(script, ["logward", "r"])).toEqual(["rotate", "run"]);
    expect(complete(script, ["logward", "--log-level", "warn", "st"])).toEqual(["stats"]);
    expect(complete(script, ["logward", "run", "--o"])).toEqual(["--once"]);
    expect(complete(script, ["logward", "--state-dir", "run", "check", "-"])).toEqual(["--config", "--help", "-c"]);
    expect(complete(script, ["logward", "service", ""])).toEqual(["--help", "install", "print"]);
    expect(complete(script, ["logward", "completion", ""])).toEqual(["--help", "bash", "fish", "zsh"]);
    expect(complete(script, ["logward", "logs2"])).toEqual([]); // hidden
  });

  it("zsh reuses the bash script through bashcompinit; fish names every command", async () => {
    const zsh = await runLogward(["completion", "zsh"]);
    expect(zsh.stdout).toContain("bashcompinit");
    expect(zsh.stdout).toContain("complete -o default -F _logward logward");
    const fish = await runLogward(["completion", "fish"]);
    for (const command of ["run", "check", "watch", "stats", "view"])
      expect(fish.stdout).toContain(`complete -c logward -n __fish_use_subcommand -a ${command} `);
    expect(fish.stdout).toContain("__fish_seen_subcommand_from run' -l once");
  });

  it("an unknown shell is a usage error", async () => {
    const run = await runLogward(["completion", "tcsh"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown shell "tcsh"');
  });
});
