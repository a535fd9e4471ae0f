// SerialRunner: one async step at a time, in the order asked; requests made within one tick share a run.
export class SerialRunner {
  private chain: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(private readonly step: () => Promise<void>) {}

  /** Run the step once more soon (after this tick), for every request made meanwhile. */
  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      void this.run();
    });
  }

  /** Whether a scheduled run has not started yet. */
  get scheduled(): boolean {
    return this.pending;
  }

  /** Run the step after any run still going; resolves when it has ended. */
  run(): Promise<void> {
    this.chain = this.chain.then(this.step);
    return this.chain;
  }

  /** Settles when every run asked for so far has ended. */
  idle(): Promise<void> {
    return this.chain;
  }
}
