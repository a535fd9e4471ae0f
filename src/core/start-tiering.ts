// The end of a run's start-up for V8's tiering: bin/start.cjs keeps V8 from its top tier while the rules
// compile (their analysis runs briefly and would cost more to optimise fully than it saves), until this is called.
const LIFT = Symbol.for("logward.startupTiering");

/** The rules are compiled: V8 may optimise hot code fully from now on. A no-op when nothing limited it. */
export function startupCompiled(): void {
  const lift = (globalThis as Record<symbol, unknown>)[LIFT];
  if (typeof lift === "function") lift();
}
