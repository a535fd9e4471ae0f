import { describe, expect, it } from "vitest";
import { HIT, INVALID, newHit } from "./access.js";
import { createLogfmtFormat, parseLogfmt } from "./logfmt.js";

describe("logfmt", () => {
  it("reads bare, quoted and flag values", () => {
    expect(parseLogfmt('at=info msg="hello \\"you\\"" debug path=/a/b')).toEqual({
      at: "info",
      msg: 'hello "you"',
      debug: true,
      path: "/a/b",
    });
  });

  it("fills a hit from an access line", () => {
    const line = "time=2026-11-21T04:15:00Z method=GET path=/api/v1/x status=503 bytes=12 host=10.0.0.9";
    const hit = newHit();
    expect(createLogfmtFormat().scan(line, 0, line.length, hit)).toBe(HIT);
    expect(hit.values()).toEqual({
      time: Date.UTC(2026, 10, 21, 4, 15),
      host: "10.0.0.9",
      path: "/api/v1/x",
      status: 503,
      bytes: 12,
    });
  });

  it("fills record fields with numbers for status and bytes", () => {
    const out = { fields: {}, time: NaN };
    expect(createLogfmtFormat({ status_field: "code" }).parse("code=404 bytes=7 x=y", out)).toBe(HIT);
    expect(out.fields).toMatchObject({ status: 404, bytes: 7, code: "404", x: "y" });
    expect(out.time).toBeNaN();
  });

  it.each(["", "just words here", 'a="unterminated', 'a="x"b', 'k"ey=v', "=value"])("rejects %j", (line) => {
    expect(createLogfmtFormat().parse(line, { fields: {}, time: NaN })).toBe(INVALID);
  });
});
