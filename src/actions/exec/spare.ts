// A warm spare shell per exec action, started between events: when an event comes, the command is handed to a
// shell that already runs instead of forking logward (≈ 75 MB, 1.5–3.7 ms blocked in spawn) on the critical path.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Clock } from "../../core/clock.js";
import { describeError } from "../../core/errors.js";
import { isResourceExhausted } from "../../core/exhaustion.js";
import type { Logger } from "../../core/logger.js";
import { signalGroup, superviseCommand, type RunSpec, type RunningCommand } from "./runner.js";

/** Shells known to be POSIX (`.`, `read -r`, `exec n<&-`); any other shell always runs cold. */
const POSIX_SHELLS = new Set(["sh", "dash", "bash", "ash", "ksh", "mksh", "zsh", "busybox"]);

/**
 * The spare's `-c` string: wait for the go signal, one newline on stdin ahead of the run's lines (`read` takes a
 * non-seekable input one byte at a time, so it never consumes past that newline and the command reads exactly
 * the run's lines), then source the script from fd 3, an unlinked private file that `.` reads in blocks through
 * /dev/fd/3 (Linux reopens the file). The script cannot travel through a pipe: Node's "pipe" stdio is a
 * socketpair, which /dev/fd cannot open, and a socket of its own for the signal cost ≈ 0.15 ms of CPU per run.
 * `read` needs a variable: LOGWARD_RULE, which every script sets anyway, so the bootstrap leaves nothing behind.
 */
const BOOTSTRAP = "read -r LOGWARD_RULE && . /dev/fd/3";
const GO_VARIABLE = "LOGWARD_RULE";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Longest wait after a hand-over before the next spare starts (see primeAfter). */
const RESPAWN_DELAY_MS = 5;
/**
 * Spares in a row that exit unused (a shell that cannot run the bootstrap, something killing them) before giving up.
 */
const MAX_UNUSED_EXITS = 3;

/** Whether this shell on this platform may run commands through a spare (else the cold `shell -c` spawn). */
export function spareSupported(shell: string, platform: NodeJS.Platform = process.platform): boolean {
  return platform === "linux" && POSIX_SHELLS.has(path.basename(shell));
}

/** A single-quoted shell word: every byte literal; `'` becomes `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * The script a spare sources: close the bootstrap's descriptor, export the run's variables, then the command
 * as its own lines, parsed like `sh -c command` parses it. Undefined when a variable cannot be exported safely.
 * What a command can still tell apart from `sh -c`: $LINENO counts from the script's start, bash shows /dev/fd/3
 * in BASH_SOURCE and the bootstrap in BASH_EXECUTION_STRING, `return` at top level ends the script instead of
 * failing, and the shell never exec()s the last simple command in place of itself (bash -c does), so a signal
 * sent to that command alone yields exit code 128+n instead of the signal. $0, $$, cwd, env, stdin, the process
 * group and the exit status are those of a cold run.
 */
export function spareScript(vars: Record<string, string>, command: string): string | undefined {
  if (!(GO_VARIABLE in vars)) return undefined;
  const words: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!NAME.test(name) || value.includes("\0")) return undefined;
    words.push(`${name}=${shellQuote(value)}`);
  }
  return `exec 3<&-\nexport ${words.join(" ")}\n${command}\n`;
}

export interface SpareOptions {
  shell: string;
  cwd: string | undefined;
  /** The environment every run starts from (the per-run variables come through the script). */
  env: NodeJS.ProcessEnv;
  /** false: never start a spare (every run cold). */
  enabled?: boolean;
}

/** One started spare: its shell (unreferenced until used), the script file it will source, and its cwd's identity. */
interface Spare {
  child: ChildProcess;
  scriptFd: number;
  cwdId: string | undefined;
  exited: Promise<void>;
  gone: boolean;
}

/** At most one spare shell for an action: started off the critical path, used by one run, then replaced. */
export class SpareShells {
  private spare: Spare | undefined;
  private pending: NodeJS.Immediate | undefined;
  private stopped = false;
  private enabled: boolean;
  private unusedExits = 0;

  constructor(
    private readonly options: SpareOptions,
    private readonly logger: Logger,
  ) {
    this.enabled = (options.enabled ?? true) && spareSupported(options.shell);
  }

  /** The pid of the spare waiting for a run, if one is (tests and diagnostics). */
  get readyPid(): number | undefined {
    return this.spare && !this.spare.gone ? this.spare.child.pid : undefined;
  }

  /** Have a spare ready soon (after the current callback): a no-op while one is alive or about to start. */
  prime(): void {
    if (!this.enabled || this.stopped || this.pending || (this.spare && !this.spare.gone)) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      if (!this.stopped) this.spare = this.startSpare();
    });
    this.pending.unref();
  }

  /**
   * Run a job on the ready spare; undefined when there is none (not started, exited, its cwd changed, or variables
   * a script cannot carry): the caller then runs it cold, which reports any error the same way as before.
   */
  run(spec: RunSpec, vars: Record<string, string>, clock: Clock, logger: Logger): RunningCommand | undefined {
    const spare = this.spare;
    if (!spare || spare.gone) return undefined;
    const script = spareScript(vars, spec.command);
    if (script === undefined || !this.sameCwd(spare)) return undefined;
    this.spare = undefined;
    spare.gone = true;
    this.unusedExits = 0;
    try {
      writeAll(spare.scriptFd, Buffer.from(script));
    } catch (err) {
      logger.debug({ err: describeError(err) }, "spare shell unusable: writing its script failed");
      discard(spare);
      return undefined;
    } finally {
      closeScript(spare);
    }
    const running = handOver(spare.child, spec, clock, logger);
    this.primeAfter(running);
    return running;
  }

  /**
   * The next spare once the command has exited or RESPAWN_DELAY_MS have passed, whichever is first: its fork
   * blocks logward for 1.5–3.7 ms and takes a core, better not while the command's shell is starting up.
   */
  private primeAfter(running: RunningCommand): void {
    const timer = setTimeout(() => this.prime(), RESPAWN_DELAY_MS);
    timer.unref();
    void running.done.then(() => {
      clearTimeout(timer);
      this.prime();
    });
  }

  /** Kill the spare (its process group) and wait until it has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    const spare = this.spare;
    this.spare = undefined;
    if (!spare) return;
    discard(spare);
    await spare.exited;
  }

  private startSpare(): Spare | undefined {
    const { shell, cwd, env } = this.options;
    let scriptFd: number | undefined;
    try {
      const cwdId = cwd === undefined ? undefined : identity(cwd);
      scriptFd = privateUnlinkedFile();
      const child = spawn(shell, ["-c", BOOTSTRAP], {
        cwd,
        env,
        detached: true,
        stdio: ["pipe", "pipe", "pipe", scriptFd],
      });
      return this.watch({ child, scriptFd, cwdId, exited: Promise.resolve(), gone: false });
    } catch (err) {
      if (scriptFd !== undefined) fs.closeSync(scriptFd);
      this.logger.debug({ err: describeError(err) }, "no spare shell: runs start cold");
      return undefined;
    }
  }

  /** Unreference the idle spare (it must not keep logward alive) and notice when it exits unused. */
  private watch(spare: Spare): Spare {
    const { child } = spare;
    spare.exited = new Promise<void>((resolve) => {
      const exited = (err?: Error): void => {
        if (this.spare === spare) {
          this.spare = undefined;
          spare.gone = true;
          closeScript(spare);
          // No descriptors or processes left (EMFILE, EAGAIN) says nothing about the shell: try again next run.
          if (isResourceExhausted(err)) this.logger.debug({ err: describeError(err) }, "no spare shell for now");
          else this.exitedUnused(child.pid);
        }
        resolve();
      };
      child.once("exit", () => exited());
      child.once("error", exited);
    });
    // After the listeners: a spawn refused for lack of descriptors has no stdio, and its error comes next tick.
    for (const stream of child.stdio ?? []) (stream as { unref?: () => void } | null)?.unref?.();
    child.unref();
    if (child.pid === undefined) spare.gone = true; // spawn failed (missing shell or cwd): its error event follows
    return spare;
  }

  private exitedUnused(pid: number | undefined): void {
    this.logger.debug({ pid }, "spare shell exited unused; the next run starts cold");
    if (++this.unusedExits < MAX_UNUSED_EXITS || !this.enabled) return;
    this.enabled = false;
    this.logger.info(
      { shell: this.options.shell },
      `${MAX_UNUSED_EXITS} spare shells in a row exited unused: commands start cold from now on`,
    );
  }

  private sameCwd(spare: Spare): boolean {
    if (spare.cwdId === undefined) return true;
    const now = identityOrUndefined(this.options.cwd as string);
    if (now === spare.cwdId) return true;
    discard(spare);
    return false;
  }
}

/**
 * Give the run to the spare: referenced again, the go signal before its stdin, supervised like a cold run from now on.
 */
function handOver(child: ChildProcess, spec: RunSpec, clock: Clock, logger: Logger): RunningCommand {
  const started = clock.now();
  child.ref();
  for (const stream of child.stdio ?? []) (stream as { ref?: () => void } | null)?.ref?.();
  return superviseCommand(child, { ...spec, stdin: `\n${spec.stdin}` }, started, clock, logger);
}

function discard(spare: Spare): void {
  spare.gone = true;
  closeScript(spare);
  if (spare.child.pid !== undefined && spare.child.exitCode === null && spare.child.signalCode === null)
    signalGroup(spare.child.pid, "SIGKILL");
}

/** Linux's O_TMPFILE (__O_TMPFILE | O_DIRECTORY): a file with no name at all, in one system call. */
const O_TMPFILE = 0o20000000 | fs.constants.O_DIRECTORY;

/**
 * An empty file only this process (and the spare it is given to) can reach: nameless (O_TMPFILE), or where the
 * file system lacks it created 0600 in a fresh private folder and both removed at once; Linux still opens such a
 * file through /dev/fd/3. (mkdtemp + rmSync cost 0.2 ms of CPU per spare, O_TMPFILE 0.02 ms.)
 */
export function privateUnlinkedFile(nameless = true): number {
  try {
    if (nameless) return fs.openSync(os.tmpdir(), O_TMPFILE | fs.constants.O_RDWR, 0o600);
  } catch {
    // not supported by this file system: the named way below
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-spare-"));
  const file = path.join(dir, "script");
  try {
    return fs.openSync(file, "wx+", 0o600);
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmdirSync(dir);
  }
}

function identity(dir: string): string {
  const stat = fs.statSync(dir);
  return `${stat.dev}:${stat.ino}`;
}

function identityOrUndefined(dir: string): string | undefined {
  try {
    return identity(dir);
  } catch {
    return undefined;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done, done);
}

/** Close the spare's script file once (a descriptor number closed twice could by then be someone else's). */
function closeScript(spare: Spare): void {
  if (spare.scriptFd < 0) return;
  const fd = spare.scriptFd;
  spare.scriptFd = -1;
  fs.closeSync(fd);
}
