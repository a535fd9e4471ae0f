// Temp-dir config files and error capture for config tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../issues.js";

const created: string[] = [];

/** Write files into a fresh temp dir; returns the dir (removed by removeTempDirs). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-config-"));
  created.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The ConfigError a promise or call rejects with (fails the test otherwise). */
export async function configError(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError, but it succeeded");
}

/** The ConfigError a synchronous call throws (fails the test otherwise). */
export function configErrorSync(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError, but it succeeded");
}

/** Issues as compact "line:column path: message" strings (message trimmed to its start). */
export function where(err: ConfigError): string[] {
  return err.issues.map((i) => `${i.line ?? "-"}:${i.column ?? "-"} ${i.path}`);
}
