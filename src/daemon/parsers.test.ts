// A source's records share one frozen empty fields object until a parser fills them: each then gets its own.
import { describe, expect, it } from "vitest";
import { silentLogger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { NO_FIELDS, type LogRecord } from "../core/record.js";
import { createRecordParser } from "./parsers.js";
import { loadConfiguredKinds } from "./run.js";
import { validateConfig } from "../config/load.js";

const line = (path: string) => `10.0.0.1 - - [07/Dec/2026:13:00:00 +0000] "GET ${path} HTTP/1.1" 200 5 "-" "curl"`;

describe("record parser", () => {
  it("gives each parsed record its own fields, and leaves the shared empty fields empty", async () => {
    const config = validateConfig({
      state_dir: "/tmp",
      sources: { app: { path: "/tmp/none.log", parser: { type: "combined" } } },
      rules: {},
      actions: {},
    });
    await loadConfiguredKinds(config);
    const parse = createRecordParser("app", { type: "combined" }, silentLogger, new Metrics());
    const records: LogRecord[] = ["/a", "/b", "not a log line"].map((path) => ({
      source: "app",
      line: path.startsWith("/") ? line(path) : path,
      time: 0,
      fields: NO_FIELDS,
    }));
    parse?.(records);
    expect(Object.isFrozen(NO_FIELDS)).toBe(true);
    expect(Object.keys(NO_FIELDS)).toEqual([]);
    expect(records[0]?.fields.path).toBe("/a");
    expect(records[1]?.fields.path).toBe("/b");
    expect(records[0]?.fields).not.toBe(records[1]?.fields);
    expect(records[2]?.fields).not.toBe(NO_FIELDS); // tried: its own (empty) object
  });
});
