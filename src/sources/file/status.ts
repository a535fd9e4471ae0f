// PathStatus: say once that a configured path is missing or unreadable, and once when it is back —
// never every second.
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { Discovery } from "./discover.js";

const MAX_REPORTED_NAMES = 1000;

export class PathStatus {
  /** Configured paths with a problem, and the problem last reported. */
  private readonly waiting = new Map<string, string>();
  private readonly unreadable = new Set<string>();
  /** Names not valid UTF-8 already reported (bounded: a folder of such names is reported once per name, up to this). */
  private readonly undecodable = new Set<string>();

  constructor(private readonly log: Logger) {}

  report(d: Discovery): void {
    for (const [spec, problem] of d.status) {
      const before = this.waiting.get(spec);
      if (problem && problem !== before) {
        if (problem === "missing") this.log.info({ path: spec }, `waiting for ${spec} to appear`);
        else this.log.warn({ path: spec, problem }, `cannot read ${spec}: ${problem}; will retry`);
        this.waiting.set(spec, problem);
      } else if (!problem) {
        this.appeared(spec);
      }
    }
    for (const name of d.undecodable) this.cannotName(name);
  }

  private cannotName(shown: string): void {
    if (this.undecodable.has(shown) || this.undecodable.size >= MAX_REPORTED_NAMES) return;
    this.undecodable.add(shown);
    this.log.warn(
      { file: shown },
      `skipping ${shown}: its name is not valid UTF-8, so logward cannot open it ` +
        "(rename it, or link it under a UTF-8 name)",
    );
  }

  appeared(spec: string): void {
    if (!this.waiting.delete(spec)) return;
    this.log.info({ path: spec }, `${spec} is there now; reading it`);
  }

  cannotOpen(filePath: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return; // gone between listing and opening
    if (this.unreadable.has(filePath)) return;
    this.unreadable.add(filePath);
    this.log.warn({ file: filePath, err: describeError(err) }, `cannot open ${filePath}; will retry`);
  }

  canOpen(filePath: string): void {
    if (this.unreadable.delete(filePath))
      this.log.info({ file: filePath }, `${filePath} can be opened now; reading it`);
  }
}
