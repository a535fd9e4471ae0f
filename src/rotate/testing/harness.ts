// Test helpers for rotation: temp folders, jobs from raw config, a scheduler, folder snapshots, gunzip.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { Clock } from "../../core/clock.js";
import { silentLogger } from "../../core/logger.js";
import { Metrics } from "../../core/metrics.js";
import { rotateJobSchema, type RotateJobConfig } from "../schema.js";
import { createRotateScheduler, type RotateContext, type RotateScheduler } from "../scheduler.js";
import { waitFor } from "../../../test/helpers.js";

export function tempDir(prefix = "logward-rotate-"): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function job(raw: Record<string, unknown>): RotateJobConfig {
  return rotateJobSchema.parse(raw);
}

export function scheduler(
  jobs: Record<string, RotateJobConfig>,
  clock: Clock,
  stateDir: string,
  extra: Partial<RotateContext> = {},
): RotateScheduler {
  return createRotateScheduler(jobs, { clock, logger: silentLogger, metrics: new Metrics(), stateDir, ...extra });
}

export interface Entry {
  type: "file" | "dir" | "link";
  sha?: string;
  mode: number;
  mtimeMs: number;
  size: number;
}

/** Everything under dir, by relative path: type, content hash, mode, mtime. */
export function snapshot(dir: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = fs.lstatSync(full);
      const rel = path.relative(dir, full);
      if (st.isSymbolicLink()) out[rel] = { type: "link", mode: st.mode, mtimeMs: st.mtimeMs, size: st.size };
      else if (st.isDirectory()) {
        out[rel] = { type: "dir", mode: st.mode, mtimeMs: st.mtimeMs, size: 0 };
        walk(full);
      } else
        out[rel] = { type: "file", sha: sha(fs.readFileSync(full)), mode: st.mode, mtimeMs: st.mtimeMs, size: st.size };
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export const sha = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

export const gunzipFile = (file: string): Buffer => gunzipSync(fs.readFileSync(file));

/** Distinct, recognisable content of n bytes (lines with a counter). */
export function content(n: number, tag = "line"): Buffer {
  let s = "";
  for (let i = 0; s.length < n; i++) s += `${tag} ${i} ${"x".repeat(i % 50)}\n`;
  return Buffer.from(s.slice(0, n));
}

export { waitFor };

export const list = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
