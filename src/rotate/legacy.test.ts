// The old rotation script's JSON config: recognised, converted to an equivalent rotate job, with a YAML hint.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig, validateConfig } from "../config/index.js";
import { legacyConverters } from "../config/legacy.js";
import { convertLegacyRotateConfig } from "./legacy.js";
import { tempDir } from "./testing/harness.js";

const OLD = {
  log_dir: "/var/log/myapp",
  archive_dir: "/var/log/myapp/archive",
  active_log: "app.log",
  rotation: { max_size_mb: 10, max_age_days: 7 },
  archival: { compress: true, retention_days: 30 },
  debounce_time: 2,
  logging: { log_file: "/var/log/rotator.log", log_level: "WARNING" },
};

let dir: string;
beforeEach(() => {
  dir = tempDir("logward-legacy-");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("legacy rotation config", () => {
  it("becomes a rotate job for log_dir/active_log plus log settings, valid for logward", async () => {
    const converted = await convertLegacyRotateConfig(OLD);
    expect(converted?.config).toEqual({
      rotate: {
        app: {
          path: "/var/log/myapp/app.log",
          archive_dir: "/var/log/myapp/archive",
          max_size: "10MiB",
          max_idle: "7d",
          compress: true,
          keep_days: 30,
        },
      },
      log: { level: "warn", file: "/var/log/rotator.log" },
    });
    const config = validateConfig(converted?.config);
    expect(config.rotate.app).toMatchObject({
      max_size: 10 * 1024 * 1024,
      max_idle: 7 * 86_400_000,
      compress: true,
      keep_days: 30,
      method: "rename",
    });
    expect(config.log).toMatchObject({ level: "warn", file: "/var/log/rotator.log" });
  });

  it("hints the YAML to use instead, which loads to the same config", async () => {
    const hint = (await convertLegacyRotateConfig(OLD))?.hint ?? "";
    expect(hint).toContain("max_size: 10MiB");
    expect(hint).toContain("debounce_time is not needed");
    const yaml = hint.split("\n\n")[1] ?? "";
    expect(parse(yaml)).toEqual((await convertLegacyRotateConfig(OLD))?.config);
  });

  it("ignores anything else: logward configs, partial shapes, non-objects", async () => {
    expect(await convertLegacyRotateConfig({ rotate: {}, log_dir: "/x", active_log: "a.log" })).toBeUndefined();
    expect(await convertLegacyRotateConfig({ log_dir: "/x" })).toBeUndefined();
    expect(await convertLegacyRotateConfig(["log_dir"])).toBeUndefined();
    expect(await convertLegacyRotateConfig(null)).toBeUndefined();
  });

  it("keeps odd values as they are so the config errors name them", async () => {
    const converted = await convertLegacyRotateConfig({ ...OLD, rotation: { max_size_mb: "lots" } });
    expect(() => validateConfig(converted?.config)).toThrow(/rotate\.app\.max_size/);
  });

  it("is registered with the config loader, so the old JSON file loads as is", async () => {
    expect(legacyConverters).toContain(convertLegacyRotateConfig);
    const file = path.join(dir, "rotator.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ ...OLD, log_dir: dir, archive_dir: path.join(dir, "archive"), logging: { log_level: "DEBUG" } }),
    );
    const config = await loadConfig(file);
    expect(config.rotate.app?.path).toBe(path.join(dir, "app.log"));
    expect(config.log.level).toBe("debug");
    expect(config.hints?.[0]).toContain("old rotation script");
  });
});
