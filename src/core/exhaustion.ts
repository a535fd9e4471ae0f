// Running out of descriptors or processes (EMFILE, ENFILE, EAGAIN): recognised, survived, and logged once per episode.
import type { Logger } from "./logger.js";

const EXHAUSTION_CODES = new Set(["EMFILE", "ENFILE", "EAGAIN", "ENOMEM"]);

/** Is this a transient shortage of a system resource (worth retrying later) rather than a real failure? */
export function isResourceExhausted(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && EXHAUSTION_CODES.has(code);
}

/**
 * A problem that may repeat thousands of times a second (every refused connection, every failed accept):
 * the first occurrence is logged, the rest only counted, and one line says how many when it is over.
 */
export class EpisodeLog {
  private count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
  ) {}

  /** One more occurrence; logged when it starts an episode. */
  note(fields: Record<string, unknown> = {}): void {
    if (this.count++ === 0) this.logger.warn(fields, this.message);
  }

  /** The episode is over (a later occurrence is logged again); says how many there were when more than one. */
  end(fields: Record<string, unknown> = {}): void {
    if (this.count > 1)
      this.logger.warn({ ...fields, times: this.count }, `${this.message} (over; ${this.count} times)`);
    this.count = 0;
  }

  get active(): boolean {
    return this.count > 0;
  }
}
