// PathStatus: say once that a configured path is missing or unreadable, and once when it is back — never every second.
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { Discovery } from "./discover.js";

export class PathStatus {
  /** Configured paths with a problem, and the problem last reported. */
  private readonly waiting = new Map<string, string>();
  private readonly unreadable = new Set<string>();

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
