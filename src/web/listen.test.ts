import { describe, expect, test } from "vitest";
import { checkListenSafety, isLoopback, parseListen, urlFor } from "./listen.js";

describe("listen addresses", () => {
  test("parses host:port, [v6]:port, :port and a bare port", () => {
    expect(parseListen("127.0.0.1:8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen(":9000")).toEqual({ host: "127.0.0.1", port: 9000 });
    expect(parseListen("9000")).toEqual({ host: "127.0.0.1", port: 9000 });
    expect(parseListen("0.0.0.0:80")).toEqual({ host: "0.0.0.0", port: 80 });
    for (const bad of ["", "host", "1.2.3.4:", "a:b:c", "::1:80", "x:99999"])
      expect(() => parseListen(bad), bad).toThrow(/invalid listen/);
  });

  test("loopback is 127/8, ::1 and localhost only", () => {
    for (const h of [
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "[::1]",
      "localhost",
      "LOCALHOST",
      "app.localhost",
      "::ffff:127.0.0.1",
    ])
      expect(isLoopback(h), h).toBe(true);
    for (const h of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "192.168.1.10",
      "example.org",
      "127.0.0.1.nip.io",
      "localhost.example.org",
    ])
      expect(isLoopback(h), h).toBe(false);
  });

  test("a non-loopback address needs a token", () => {
    expect(() => checkListenSafety("0.0.0.0:8080", undefined)).toThrow(
      expect.objectContaining({ code: "USAGE", name: "UserError" }),
    );
    expect(() => checkListenSafety("0.0.0.0:8080", "")).toThrow(/needs a token/);
    expect(checkListenSafety("0.0.0.0:8080", "t")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(checkListenSafety("127.0.0.1:8080", undefined).port).toBe(8080);
  });

  test("URLs a local browser can open", () => {
    expect(urlFor("0.0.0.0", 80)).toBe("http://127.0.0.1:80/");
    expect(urlFor("::1", 81)).toBe("http://[::1]:81/");
    expect(urlFor("::", 82)).toBe("http://[::1]:82/");
  });
});
