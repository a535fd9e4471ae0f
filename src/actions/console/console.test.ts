// Console action: text and JSON output, terminal-safe text, release after the write.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { actionContext, matchEvent, trackedRelease } from "../exec/testing/helpers.js";
import { ConsoleAction, consoleAction, consoleSchema, eventText, printable } from "./index.js";

function capture(format: "text" | "json") {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const action = new ConsoleAction(consoleSchema.parse({ format }), actionContext("console"), out);
  return { action, text: () => text };
}

describe("console action", () => {
  it("prints `time [rule] source: line`, one per record", async () => {
    const { action, text } = capture("text");
    const t = trackedRelease();
    await action.send(matchEvent(["first", "second"], { rule: "auth-storm" }), t.release);
    await t.done;
    expect(text()).toBe(
      "2026-11-21T04:15:00.000Z [auth-storm] app: first\n2026-11-21T04:15:00.001Z [auth-storm] app: second\n",
    );
  });

  it("prints the message of an event without records", () => {
    const alert = {
      ...matchEvent([]),
      kind: "alert" as const,
      rule: "web-traffic",
      source: "access",
      time: Date.UTC(2026, 10, 21, 4, 15),
      message: "High traffic generated an alert - hits = 1300",
    };
    expect(eventText(alert)).toBe(
      "2026-11-21T04:15:00.000Z [web-traffic] access: High traffic generated an alert - hits = 1300\n",
    );
  });

  it("prints JSON lines in the file action's format", async () => {
    const { action, text } = capture("json");
    const t = trackedRelease();
    await action.send(matchEvent(["a \u001b[31mred"], { fields: { user: "bob" } }), t.release);
    await t.done;
    expect(JSON.parse(text())).toEqual({
      time: "2026-11-21T04:15:00.000Z",
      source: "app",
      file: "/var/log/app.log",
      offset: 0,
      line: "a \u001b[31mred",
      rule: "r",
      fields: { user: "bob" },
    });
  });

  it("shows control characters escaped so a log line cannot drive the terminal", () => {
    expect(printable("a\u001b[2Jb\rc\u0000d\te\u0085")).toBe("a\\x1b[2Jb\\x0dc\\x00d\te\\x85");
    expect(printable("Exception\n  at main")).toBe("Exception\n      at main");
  });

  it("releases after the write; flush waits for pending writes", async () => {
    const out = new PassThrough({ highWaterMark: 1 });
    const action = new ConsoleAction(consoleSchema.parse({}), actionContext("console"), out);
    const t = trackedRelease();
    const sent = action.send(matchEvent(["blocked until read"]), t.release);
    expect(t.released()).toBe(false);
    out.resume();
    await sent;
    await action.flush(10_000);
    expect(t.released()).toBe(true);
  });

  it("defaults to text on stdout and is created through the registry kind", () => {
    expect(consoleSchema.parse({})).toEqual({ format: "text", stream: "stdout" });
    expect(() => consoleSchema.parse({ format: "xml" })).toThrow();
    expect(consoleAction.create(consoleSchema.parse({ stream: "stderr" }), actionContext("console"))).toBeInstanceOf(
      ConsoleAction,
    );
  });
});
