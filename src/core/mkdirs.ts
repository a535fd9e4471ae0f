// mkdir -p that always ends: Node's own recursive mkdir loops forever on some file systems (/proc, for one).
import fs from "node:fs";
import path from "node:path";

/** Folders created one level at a time, from the deepest that exists; an error names the level that failed. */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  for (const level of await missingLevels(dir)) {
    try {
      await fs.promises.mkdir(level, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/** makeDirs, synchronously (start-up only). */
export function makeDirsSync(dir: string, mode?: number): void {
  for (const level of missingLevelsSync(dir)) {
    try {
      fs.mkdirSync(level, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/** The missing folders of a path, outermost first (a file in the way fails at mkdir, with the usual error). */
async function missingLevels(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const exists = await fs.promises.stat(at).then(
      () => true,
      () => false,
    );
    if (exists || at === path.dirname(at)) break;
    missing.unshift(at);
  }
  return missing;
}

function missingLevelsSync(dir: string): string[] {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at) && at !== path.dirname(at); at = path.dirname(at)) {
    missing.unshift(at);
  }
  return missing;
}
