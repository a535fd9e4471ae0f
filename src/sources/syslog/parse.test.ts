// Unit tests of syslog parsing: RFC 5424 (with structured data), RFC 3164 variants, malformed input.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseSyslog } from "./parse.js";

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
});
