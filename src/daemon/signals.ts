// A daemon's signals from the first moment of its run: TERM/INT stop it (before it is ready: abort the start),
// a second one hurries the drain; HUP reloads, and a HUP that came before it was ready is applied once it is.

const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

export class DaemonSignals {
  private readonly stopController = new AbortController();
  private readonly hurryController = new AbortController();
  private hupHandler: (() => void) | undefined;
  private hupsBeforeReady = 0;
  private stopSignalName: string | undefined;
  private readonly listeners = new Map<NodeJS.Signals, () => void>();

  constructor() {
    for (const signal of STOP_SIGNALS) this.listen(signal, () => this.requestStop(signal));
    this.listen("SIGHUP", () => {
      if (this.hupHandler) this.hupHandler();
      else this.hupsBeforeReady++;
    });
  }

  /** Aborted by the first TERM or INT (or requestStop). */
  get stopping(): AbortSignal {
    return this.stopController.signal;
  }

  /** Aborted by a second TERM or INT: deliver no more, save what was delivered and exit. */
  get hurry(): AbortSignal {
    return this.hurryController.signal;
  }

  /** Which signal asked to stop ("until" for a programmatic stop), once one did. */
  get stopReason(): string | undefined {
    return this.stopSignalName;
  }

  requestStop(reason: string): void {
    if (this.stopping.aborted) {
      if (reason !== "until" && !this.hurry.aborted) this.hurryController.abort();
      return;
    }
    this.stopSignalName = reason;
    this.stopController.abort();
  }

  /** From now on HUP calls handler; returns how many HUPs arrived before (the caller applies them once). */
  onHup(handler: () => void): number {
    this.hupHandler = handler;
    const missed = this.hupsBeforeReady;
    this.hupsBeforeReady = 0;
    return missed;
  }

  /** Back to the default actions (the process is about to exit). */
  dispose(): void {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
    this.listeners.clear();
    this.hupHandler = undefined;
  }

  private listen(signal: NodeJS.Signals, listener: () => void): void {
    this.listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

/** Resolves when the signal aborts (never, if it never does). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
