// OutputLog: a run's output relayed line by line within its byte and line budget, the rest counted.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Logger } from "../../core/logger.js";
import { MAX_LOGGED_LINE, MAX_LOGGED_LINES, MAX_LOGGED_OUTPUT, OutputLog } from "./output.js";

function recorder(): { logger: Logger; lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void =>
      void lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? "" });
  const logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } as unknown as Logger;
  return { logger, lines };
}

async function run(stdout: string[], stderr: string[] = []) {
  const { logger, lines } = recorder();
  const out = new PassThrough();
  const err = new PassThrough();
  const log = new OutputLog(logger);
  log.follow(out, "stdout");
  log.follow(err, "stderr");
  for (const chunk of stdout) out.write(chunk);
  for (const chunk of stderr) err.write(chunk);
  out.end();
  err.end();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return lines;
}

describe("OutputLog", () => {
  it("relays lines split across chunks, CRLF and a last line without newline", async () => {
    const lines = await run(["one\r\ntw", "o\nthree"], ["oops\n"]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ["info", "one"],
      ["info", "two"],
      ["warn", "oops"],
      ["info", "three"],
    ]);
  });

  it("cuts a 1 MB line to MAX_LOGGED_LINE and counts what it cut", async () => {
    const lines = await run(Array.from({ length: 16 }, () => "x".repeat(65_536)));
    expect(lines[0]?.msg.startsWith("x".repeat(MAX_LOGGED_LINE))).toBe(true);
    expect(lines[0]?.msg).toMatch(new RegExp(`… \\(cut ${16 * 65_536 - MAX_LOGGED_LINE} bytes\\)$`));
    expect(lines.at(-1)?.obj.dropped_bytes).toBe(16 * 65_536 - MAX_LOGGED_LINE);
  });

  it("stops logging at the byte or line budget and says how much it dropped", async () => {
    const many = await run(["line\n".repeat(5000)]);
    expect(many.filter((l) => l.msg === "line")).toHaveLength(MAX_LOGGED_LINES);
    expect(many.at(-1)?.obj.dropped_bytes).toBe((5000 - MAX_LOGGED_LINES) * 5);
    const big = await run([`${"y".repeat(4000)}\n`.repeat(40)]);
    const logged = big.filter((l) => l.msg.startsWith("y")).length;
    expect(logged * 4001).toBeLessThanOrEqual(MAX_LOGGED_OUTPUT);
    expect(big.at(-1)?.obj.dropped_bytes).toBe((40 - logged) * 4001);
  });
});
