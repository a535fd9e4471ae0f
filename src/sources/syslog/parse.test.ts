// Unit tests of syslog parsing: RFC 5424 (with structured data), RFC 3164 variants, malformed input.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseSyslog } from "./parse.js";
import { SYSLOG_FIELDS } from "./fields.js";

const NOW = Date.UTC(2026, 10, 21, 4, 15, 0);

describe("RFC 5424", () => {
  it("parses every header field, structured data and the message", () => {
    const text =
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 8710 ID47 " +
      '[exampleSDID@32473 iut="3" eventSource="Application"][x@1 q="a\\"b\\]c"] \uFEFFAn application event';
    const p = parseSyslog(text, NOW);
    expect(p.malformed).toBe(false);
    expect(p.line).toBe("An application event");
    expect(p.time).toBe(Date.UTC(2003, 9, 11, 22, 14, 15, 3));
    expect(p.host).toBe("mymachine.example.com");
    expect(p.fields).toMatchObject({
      facility: "local4",
      severity: "notice",
      host: "mymachine.example.com",
      app: "evntslog",
      procid: "8710",
      msgid: "ID47",
      structured_data: '[exampleSDID@32473 iut="3" eventSource="Application"][x@1 q="a\\"b\\]c"]',
      "sd.exampleSDID@32473.iut": "3",
      "sd.x@1.q": 'a"b]c',
    });
  });

  it("leaves NILVALUE fields out and accepts a missing message and time", () => {
    const p = parseSyslog("<13>1 - - - - - -", NOW);
    expect(p).toMatchObject({ malformed: false, line: "", time: undefined, host: undefined });
    expect(p.fields).toEqual({ facility: "user", severity: "notice" });
  });

  it("takes time zones and microseconds into account", () => {
    expect(parseSyslog("<13>1 2026-11-21T05:06:44.659609+01:00 vm root - - - hi", NOW).time).toBe(
      Date.UTC(2026, 10, 21, 4, 6, 44, 659),
    );
  });

  it("marks a broken header as malformed and keeps the raw text", () => {
    for (const text of [
      "<13>1 yesterday host app - - - msg",
      "<13>1 2026-11-21T05:06:44Z host app",
      "<13>1 - h a p m [broken sd",
      "<13>1 - h a p m -nospace",
    ]) {
      const p = parseSyslog(text, NOW);
      expect(p, text).toMatchObject({ malformed: true, line: text, fields: { malformed: true } });
    }
  });
});

describe("RFC 3164", () => {
  it("parses timestamp, host, tag and pid", () => {
    const p = parseSyslog("<34>Oct 11 22:14:15 mymachine su[231]: 'su root' failed for lonvick on /dev/pts/8", NOW);
    expect(p.malformed).toBe(false);
    expect(p.line).toBe("'su root' failed for lonvick on /dev/pts/8");
    expect(p.host).toBe("mymachine");
    expect(p.fields).toMatchObject({ facility: "auth", severity: "crit", host: "mymachine", app: "su", procid: "231" });
    expect(p.time).toBe(new Date(2026, 9, 11, 22, 14, 15).getTime());
  });

  it("reads a message without a host (the tag comes right after the time)", () => {
    const p = parseSyslog("<13>Nov  1 04:00:00 sshd[99]: Accepted publickey", NOW);
    expect(p.host).toBeUndefined();
    expect(p.fields).toMatchObject({ app: "sshd", procid: "99" });
    expect(p.line).toBe("Accepted publickey");
  });

  it("puts a December message read in January in the previous year", () => {
    const january = new Date(2027, 0, 2, 10, 0, 0).getTime();
    expect(parseSyslog("<13>Dec 31 23:59:59 h app: x", january).time).toBe(
      new Date(2026, 11, 31, 23, 59, 59).getTime(),
    );
  });

  it("accepts an RFC 3339 timestamp in place of the BSD one", () => {
    const p = parseSyslog("<13>2026-11-21T04:00:00Z web1 nginx: GET /", NOW);
    expect(p).toMatchObject({ time: Date.UTC(2026, 10, 21, 4), host: "web1", line: "GET /", fields: { app: "nginx" } });
  });

  it("keeps text after a valid PRI without a header as the message", () => {
    const p = parseSyslog("<13>just some text", NOW);
    expect(p).toMatchObject({
      malformed: false,
      line: "just some text",
      time: undefined,
      fields: { severity: "notice" },
    });
  });
});

describe("malformed input", () => {
  it("keeps text without a valid PRI as raw text", () => {
    for (const text of ["hello", "<>x", "<192>1 - - - - - -", "<abc>x", "", "<13"]) {
      expect(parseSyslog(text, NOW), JSON.stringify(text)).toEqual({
        line: text,
        time: undefined,
        host: undefined,
        fields: { malformed: true },
        malformed: true,
      });
    }
  });

  it("never throws and always returns a string line, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => "<13>1 " + s),
          fc.string().map((s) => "<13>" + s),
        ),
        (text) => {
          const p = parseSyslog(text, NOW);
          expect(typeof p.line).toBe("string");
          if (p.malformed) expect(p.line).toBe(text);
        },
      ),
    );
  });

  it("sets no field that SYSLOG_FIELDS does not name (check's group_by hint relies on the list)", () => {
    const token = fc.stringMatching(/^[!-~]{1,8}$/).filter((t) => !/[= \]"]/.test(t));
    const sd = fc.array(fc.tuple(token, token, fc.string({ maxLength: 6 })), { maxLength: 3 });
    const message = fc.oneof(
      fc.tuple(fc.constantFrom("-", "host1"), fc.constantFrom("-", "app"), sd).map(([host, app, params]) => {
        const data = params.map(([id, name, v]) => `[${id} ${name}="${v.replace(/["\\\]]/g, "")}"]`).join("");
        return `<165>1 2026-11-21T04:15:00Z ${host} ${app} 12 ID47 ${data || "-"} msg`;
      }),
      fc.string().map((s) => `<13>Nov 21 04:15:00 host1 app[12]: ${s}`),
      fc.string().map((s) => "<13>1 " + s),
      fc.string(),
    );
    const declared = (name: string) =>
      SYSLOG_FIELDS.some((f) => (f.endsWith("*") ? name.startsWith(f.slice(0, -1)) : f === name));
    let withSd = 0;
    fc.assert(
      fc.property(message, (text) => {
        const { fields } = parseSyslog(text, NOW);
        if (Object.keys(fields).some((k) => k.startsWith("sd."))) withSd++;
        for (const name of Object.keys(fields)) expect(declared(name), name).toBe(true);
      }),
      { seed: 7, numRuns: 500 },
    );
    expect(withSd).toBeGreaterThan(0); // the generator reached structured data
  });
});
