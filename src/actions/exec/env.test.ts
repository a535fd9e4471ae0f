// Unit tests of the LOGWARD_* environment built from events.
import { describe, expect, it } from "vitest";
import {
  MAX_ENV_NAME_BYTES,
  MAX_ENV_VALUE_BYTES,
  MAX_RUN_ENV_BYTES,
  commandEnv,
  envSafe,
  stdinLines,
  fieldVariable,
} from "./env.js";
import { T0, matchEvent } from "./testing/helpers.js";

describe("commandEnv", () => {
  it("describes the event with LOGWARD_* variables", () => {
    const event = matchEvent(["first", "second"], {
      kind: "threshold",
      match: "sec",
      fields: { user: "bob", "req-id": 7, ok: true, none: null },
      suppressed: 4,
    });
    expect(commandEnv(event, { count: 5, suppressed: 6 })).toEqual({
      LOGWARD_RULE: "r",
      LOGWARD_SOURCE: "app",
      LOGWARD_KIND: "threshold",
      LOGWARD_FILE: "/var/log/app.log",
      LOGWARD_LINE: "second",
      LOGWARD_TIME: new Date(T0 + 1).toISOString(),
      LOGWARD_MATCH: "sec",
      LOGWARD_COUNT: "5",
      LOGWARD_SUPPRESSED: "6",
      LOGWARD_FIELD_USER: "bob",
      LOGWARD_FIELD_REQ_ID: "7",
      LOGWARD_FIELD_OK: "true",
      LOGWARD_FIELD_NONE: "",
    });
  });

  it("gives events without lines their message", () => {
    const alert = {
      ...matchEvent([]),
      kind: "alert" as const,
      records: [],
      message: "High traffic generated an alert - hits = 1300, triggered at x",
    };
    const env = commandEnv(alert, { count: 1, suppressed: 0 });
    expect(env.LOGWARD_MESSAGE).toBe(alert.message);
    expect(env.LOGWARD_LINE).toBe(alert.message);
    expect(env.LOGWARD_FILE).toBe("");
    expect(stdinLines(alert)).toEqual([alert.message]);
  });

  it("tells an absence from its recovery with LOGWARD_STATE (unset for other events)", () => {
    const silence = { ...matchEvent([]), kind: "absence" as const, state: "firing" as const, message: "hb: none" };
    expect(commandEnv(silence, { count: 0, suppressed: 0 })).toMatchObject({
      LOGWARD_KIND: "absence",
      LOGWARD_STATE: "firing",
      LOGWARD_MESSAGE: "hb: none",
    });
    const back = commandEnv({ ...silence, state: "recovered" }, { count: 1, suppressed: 0 });
    expect(back.LOGWARD_STATE).toBe("recovered");
    expect(commandEnv(matchEvent([]), { count: 1, suppressed: 0 }).LOGWARD_STATE).toBeUndefined();
  });

  it("maps field names to upper case with every other character as _", () => {
    expect(fieldVariable("client.ip-addr")).toBe("LOGWARD_FIELD_CLIENT_IP_ADDR");
    expect(fieldVariable("ümlaut2")).toBe("LOGWARD_FIELD__MLAUT2");
  });
});

describe("envSafe", () => {
  it("replaces NUL, which cannot be in the environment", () => {
    expect(envSafe("a\0b")).toBe("a\uFFFDb");
  });

  it("cuts very long values at a character boundary", () => {
    const cut = envSafe("é".repeat(MAX_ENV_VALUE_BYTES));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_ENV_VALUE_BYTES);
    expect(cut).toBe("é".repeat(MAX_ENV_VALUE_BYTES / 2));
    const odd = envSafe("x" + "é".repeat(MAX_ENV_VALUE_BYTES));
    expect(odd.endsWith("é")).toBe(true);
    expect(Buffer.byteLength(odd)).toBe(MAX_ENV_VALUE_BYTES - 1);
  });

  it("leaves ordinary values alone", () => {
    expect(envSafe('$(touch pwned) `x` "q" ; rm -rf /')).toBe('$(touch pwned) `x` "q" ; rm -rf /');
  });

  it("keeps names and the whole run's environment under the kernel's limits, whatever the fields", () => {
    const long = "k".repeat(200 * 1024);
    expect(fieldVariable(long).length).toBe(MAX_ENV_NAME_BYTES);
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, "é".repeat(40_000)]));
    const env = commandEnv(matchEvent(["line"], { fields: { [long]: 1, ...fields, small: "kept" } }), {
      count: 1,
      suppressed: 0,
    });
    const sizes = Object.entries(env).map(([name, value]) => Buffer.byteLength(`${name}=${value}`) + 1);
    expect(Math.max(...sizes)).toBeLessThan(128 * 1024); // MAX_ARG_STRLEN
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_RUN_ENV_BYTES);
    expect(env.LOGWARD_FIELD_SMALL).toBe("kept"); // a small field after the budget ran out still fits
    expect(env.LOGWARD_FIELD_F0).toBe("é".repeat(MAX_ENV_VALUE_BYTES / 2));
  });
});
