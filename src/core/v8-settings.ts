// What logward's own V8 heap settings read of the process: the user's own V8 flags, and a number from the environment.

/** What of a process a heap setting reads: its environment, Node's own arguments, where to say a value is wrong. */
export interface Proc {
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
  stderr: { write(text: string): unknown };
}

/** True when the user gave one of these V8 flags, on the command line or in NODE_OPTIONS: his choice wins. */
export function userSetFlag(proc: Proc, flag: RegExp): boolean {
  return [...proc.execArgv, proc.env.NODE_OPTIONS ?? ""].some((arg) => flag.test(arg));
}

/** The number in env[name], or `fallback` when unset; a value that is not a plain number is said once. */
export function numberFromEnv(proc: Proc, name: string, fallback: number, unit: string): number {
  const raw = proc.env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  proc.stderr.write(`logward: ${name}=${raw} is not a number of ${unit}; using ${fallback}\n`);
  return fallback;
}
