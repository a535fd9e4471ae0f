import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { resolveToken } from "./token.js";

describe("resolveToken", () => {
  test("given token, then token_file, then LOGWARD_WEB_TOKEN, else one made at start (loopback)", () => {
    const dir = mkdtempSync(join(tmpdir(), "logward-token-"));
    try {
      const file = join(dir, "t");
      writeFileSync(file, "  from-file  \nsecond line\n");
      const env = { LOGWARD_WEB_TOKEN: "from-env" };
      const listen = "127.0.0.1:0";
      expect(resolveToken({ listen, token: "given", token_file: file }, env)).toEqual({
        token: "given",
        origin: "config",
      });
      expect(resolveToken({ listen, token: "", token_file: file }, env)).toEqual({
        token: "from-file",
        origin: "file",
      });
      expect(resolveToken({ listen }, env)).toEqual({ token: "from-env", origin: "env" });
      const made = resolveToken({ listen }, {});
      expect(made.origin).toBe("generated");
      expect(made.token).toMatch(/^[\w-]{32}$/);
      expect(resolveToken({ listen }, {}).token).not.toBe(made.token);
      expect(resolveToken({ listen, auth: "none", token: "x" }, env)).toEqual({ token: undefined, origin: "none" });
      writeFileSync(file, "\n");
      expect(() => resolveToken({ listen, token_file: file }, {})).toThrow(/is empty/);
      expect(() => resolveToken({ listen, token_file: join(dir, "missing") }, {})).toThrow(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a non-loopback address needs a token given; auth none is loopback only", () => {
    expect(() => resolveToken({ listen: "0.0.0.0:80" }, {})).toThrow(/needs a token/);
    expect(() => resolveToken({ listen: "0.0.0.0:80", auth: "none" }, {})).toThrow(/loopback only/);
    expect(resolveToken({ listen: "0.0.0.0:80" }, { LOGWARD_WEB_TOKEN: "e" }).origin).toBe("env");
  });
});
