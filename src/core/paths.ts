// `~` at the start of a configured path means the user's home directory: the one place that expands it.
import os from "node:os";
import path from "node:path";

/** Expand a leading `~` or `~/` to $HOME (or the account's home); every other path is returned unchanged. */
export function expandHome(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (file !== "~" && !file.startsWith("~/")) return file;
  const home = env.HOME || os.homedir();
  return file === "~" ? home : path.join(home, file.slice(2));
}
