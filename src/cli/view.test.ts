import { describe, expect, test } from "vitest";
import { validateConfig } from "../config/load.js";
import { sourceName, viewConfig } from "./view.js";

describe("view flags → config", () => {
  test("one source per path, named after it, starting at the end; the web server on the listen address", () => {
    expect(
      viewConfig(["/var/log/app.log", "/srv/app.log", "/var/log/nginx/"], { listen: "127.0.0.1:9000" }, undefined, {}),
    ).toEqual({
      sources: {
        "app.log": { path: "/var/log/app.log", start_at: "end", start_lines: 100 },
        "app.log-2": { path: "/srv/app.log", start_at: "end", start_lines: 100 },
        nginx: { path: "/var/log/nginx/", start_at: "end", start_lines: 100 },
      },
      web: { listen: "127.0.0.1:9000" },
    });
  });

  test("flags and LOGWARD_WEB_TOKEN", () => {
    const config = viewConfig(
      ["a.log"],
      { listen: "0.0.0.0:80", fromStart: true, newest: true, recursive: true, history: "50" },
      "/tmp/st",
      { LOGWARD_WEB_TOKEN: "t0k" },
    );
    expect(config).toEqual({
      state_dir: "/tmp/st",
      sources: { "a.log": { path: "a.log", start_at: "beginning", follow: "newest", recursive: true } },
      web: { listen: "0.0.0.0:80", token: "t0k", history: 50 },
    });
    expect(
      (
        viewConfig(["a.log"], { listen: ":1", token: "flag" }, undefined, { LOGWARD_WEB_TOKEN: "env" }) as {
          web: { token: string };
        }
      ).web.token,
    ).toBe("flag");
  });

  test("a non-loopback listen without a token, a bad address or a bad --history is a usage error", () => {
    const usage = expect.objectContaining({ name: "UserError", code: "USAGE" });
    expect(() => viewConfig(["a.log"], { listen: "0.0.0.0:8080" }, undefined, {})).toThrow(usage);
    expect(() => viewConfig(["a.log"], { listen: "0.0.0.0:8080" }, undefined, { LOGWARD_WEB_TOKEN: "" })).toThrow(
      /needs a token/,
    );
    expect(() => viewConfig(["a.log"], { listen: "nowhere" }, undefined, {})).toThrow(usage);
    expect(() => viewConfig(["a.log"], { listen: ":1", history: "0" }, undefined, {})).toThrow(usage);
    expect(() => viewConfig([], { listen: ":1" }, undefined, {})).toThrow(usage);
  });

  test("--no-token and --token-file", () => {
    const web = (opts: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
      (viewConfig(["a.log"], { listen: "127.0.0.1:1", ...opts }, undefined, env) as { web: unknown }).web;
    expect(web({ token: false }, { LOGWARD_WEB_TOKEN: "env" })).toEqual({ listen: "127.0.0.1:1", auth: "none" });
    expect(web({ tokenFile: "/run/secret" })).toEqual({ listen: "127.0.0.1:1", token_file: "/run/secret" });
    expect(() => viewConfig(["a.log"], { listen: "0.0.0.0:1", token: false }, undefined, {})).toThrow(/loopback/);
    expect(viewConfig(["a.log"], { listen: "0.0.0.0:1", tokenFile: "/t" }, undefined, {})).toMatchObject({
      web: { token_file: "/t" },
    });
  });

  test("source names are valid config names", () => {
    expect(sourceName("/var/log/*.log")).toBe("_.log");
    expect(sourceName("/")).toBe("log");
    expect(sourceName("C:\\logs\\x y.txt")).toBe("C_logs_x_y.txt");
  });

  test("the web section it builds passes the config schema", () => {
    const web = (viewConfig(["a.log"], { listen: "127.0.0.1:0", history: "10" }, undefined, {}) as { web: unknown })
      .web;
    expect(validateConfig({ web }).web).toMatchObject({
      listen: "127.0.0.1:0",
      history: 10,
      client_buffer: 4 * 1024 * 1024,
    });
  });
});
