// Which commands get imported for which arguments: lazy ones only when they run or the full list is shown.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { invokedCommand, lazyCommandModules, registerCommands } from "./commands.js";

function root(): Command {
  return new Command("logward")
    .version("0.0.0", "--version")
    .option("--log-level <level>", "level")
    .option("--log-format <format>", "format")
    .option("--state-dir <dir>", "dir")
    .option("--colour [when]", "an optional value, to test how one is skipped");
}

async function registered(args: string[]): Promise<string[]> {
  const program = root();
  await registerCommands(program, args);
  return program.commands.map((c) => c.name());
}

describe("invokedCommand", () => {
  it("finds the first operand after the root's options and their values", () => {
    const program = root();
    expect(invokedCommand(program, ["run", "--once"])).toBe("run");
    expect(invokedCommand(program, ["--log-level", "debug", "stats", "--replay"])).toBe("stats");
    expect(invokedCommand(program, ["--log-level=debug", "stats"])).toBe("stats");
    // A required value is taken whatever it looks like, as commander does.
    expect(invokedCommand(program, ["--state-dir", "stats", "run"])).toBe("run");
    // An optional value is taken unless it looks like an option: "stats" here is the colour.
    expect(invokedCommand(program, ["--colour", "stats", "run"])).toBe("run");
    expect(invokedCommand(program, ["--colour", "--state-dir", "x", "watch"])).toBe("watch");
  });

  it("is undefined when commander would not run a command or the arguments are not understood", () => {
    const program = root();
    for (const args of [[], ["--help"], ["-h", "stats"], ["--", "stats"], ["--log-level"], ["--nope", "stats"]]) {
      expect(invokedCommand(program, args), args.join(" ")).toBeUndefined();
    }
  });
});

describe("registerCommands", () => {
  it("leaves stats out only when another command runs or only the version is printed", async () => {
    expect(lazyCommandModules.map((c) => c.name)).toEqual(["stats"]);
    for (const args of [["--version"], ["--log-level", "warn", "--version", "stats"], ["run", "--once"], ["--log-level", "warn", "watch", "x"], ["logs2eca"], ["service", "print"]]) {
      expect(await registered(args), args.join(" ")).not.toContain("stats");
    }
  });

  it("registers stats when it runs, and every command for help, no command or an unknown one", async () => {
    const all = await registered([]);
    expect(all).toEqual(["run", "check", "watch", "forward", "demo", "logs2eca", "rotate", "service", "view", "stats"]);
    for (const args of [["stats", "--replay"], ["--help"], ["help", "stats"], ["stat"], ["--", "stats"]]) {
      expect(await registered(args), args.join(" ")).toEqual(all);
    }
  });
});
