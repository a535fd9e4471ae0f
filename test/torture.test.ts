// Seeded torture: writers append numbered lines through rotations of every kind while `logward run` is SIGKILLed
// and restarted; no line may be lost, and a line may only repeat if the last checkpoint before a kill was behind it.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, runLogward, startLogward, tempDir, waitFor } from "./helpers.js";
import {
  type Checkpoints,
  type Gen,
  readCheckpoints,
  readOutput,
  Rng,
  type Rotation,
  World,
} from "./torture.helpers.js";

/** Replay a run with LOGWARD_TORTURE_SEED=<seed>; LOGWARD_TORTURE_KILLS sets how many SIGKILLs (and restarts). */
const SEED = Number(process.env.LOGWARD_TORTURE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.LOGWARD_TORTURE_KILLS ?? 5);
const WRITERS = 3;
const ROTATIONS: Rotation[] = ["rename", "copytruncate", "delete"];

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-torture-")));
afterEach(() => (process.env.LOGWARD_TORTURE_KEEP ? console.log(`kept ${dir}`) : cleanup()));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** LOGWARD_TORTURE_KEEP=1: leave each run's log and the checkpoints at each kill in the kept directory. */
function keep(run: number, stderr: string, state: string): void {
  writeFileSync(path.join(dir, `run-${run}.log`), stderr);
  if (existsSync(path.join(state, "checkpoints.json")))
    copyFileSync(path.join(state, "checkpoints.json"), path.join(dir, `checkpoints-kill-${run}.json`));
}

class Torture {
  readonly rng = new Rng(SEED);
  readonly logs = path.join(dir, "logs");
  readonly state = path.join(dir, "state");
  readonly config = path.join(dir, "logward.yaml");
  readonly world: World;
  /** Ids delivered by finished runs (the union of their outputs). */
  readonly delivered = new Set<string>();
  /** Lines a restart must not repeat: covered by every checkpoint of theirs at the last kill. */
  coveredAtKill = new Set<string>();
  /** Deleted files: logward is not killed until their lines are out (after a crash nothing can reach them). */
  pendingDeleted: Gen[] = [];
  readonly failures: string[] = [];
  readonly rotations: Record<string, number> = {};
  duplicates = 0;
  emitted = 0;

  constructor() {
    mkdirSync(this.logs);
    this.world = new World(this.logs, WRITERS);
    writeFileSync(
      this.config,
      [
        `state_dir: ${this.state}`,
        ...(process.env.LOGWARD_TORTURE_DEBUG ? ["log: { level: debug }"] : []),
        `sources: { app: { path: "${this.logs}/*.log", start_at: beginning, rescan: 500ms } }`,
        "rules: { all: { source: app, actions: [out] } }",
        'actions: { out: { type: file, path: "${OUT}" } }',
      ].join("\n"),
    );
  }

  output(run: number | "final"): string {
    return path.join(dir, `out-${run}.ndjson`);
  }

  /** One live step: a write burst or a rotation. */
  async liveStep(): Promise<void> {
    const w = this.rng.int(WRITERS);
    if (this.rng.next() < 0.85) this.world.write(w, 1 + this.rng.int(40), this.rng);
    else await this.rotateLive(w, this.rng.pick(ROTATIONS));
    this.world.tick();
    await sleep(this.rng.int(25));
  }

  /** Rotate a file once logward has saved its identity (the crash may come before it notices the rotation). */
  async rotateLive(w: number, how: Rotation): Promise<void> {
    if (!this.world.hasContent(w)) this.world.write(w, 1 + this.rng.int(5), this.rng); // an empty file has no identity yet
    this.world.reopenAll(); // the wait below may be long; the same seed must give the same writes whatever it lasts
    await waitFor(
      () => this.world.known(w, readCheckpoints(this.state)),
      `a saved checkpoint identifying w${w}.log (seed ${SEED})`,
      20_000,
    );
    this.world.write(w, this.rng.int(30), this.rng); // a tail logward has not read yet, most likely
    const gone = this.world.rotate(w, how, this.rng, true);
    if (gone) this.pendingDeleted.push(gone);
    this.count(`${how} live`);
  }

  /** A step while logward is down: rotations only of files the saved checkpoints let a restart find again. */
  downStep(cps: Checkpoints): void {
    this.world.tick();
    const w = this.rng.int(WRITERS);
    if (this.rng.next() < 0.5) return this.world.write(w, 1 + this.rng.int(40), this.rng);
    const how = this.rng.pick(ROTATIONS);
    // Rotated while stopped, a file is found again only through its checkpoint; a deleted one never is.
    const ok = how === "delete" ? this.world.drained(w, cps) : this.world.known(w, cps);
    if (!ok) return;
    this.world.rotate(w, how, this.rng, false);
    this.count(`${how} down`);
  }

  /** Wait until every line of every deleted file is in some output. */
  async drainDeleted(out: string): Promise<void> {
    const missing = () => {
      const live = new Set(readOutput(out));
      return this.pendingDeleted.flatMap((g) =>
        g.lines.filter((l) => !this.delivered.has(l.text) && !live.has(l.text)),
      );
    };
    if (this.pendingDeleted.length > 0) this.world.reopenAll();
    await waitFor(() => missing().length === 0, `lines of deleted files delivered (seed ${SEED})`, 30_000);
    this.pendingDeleted = [];
  }

  /** A run is over (killed or done): check its output against the checkpoints before it and after it. */
  finished(run: number | "final"): Checkpoints {
    const ids = readOutput(this.output(run));
    this.emitted += ids.length;
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) this.fail(`run ${run}: ${id} emitted twice in one run`);
      seen.add(id);
      if (!this.delivered.has(id)) continue;
      this.duplicates++;
      if (this.coveredAtKill.has(id))
        this.fail(`run ${run}: ${id} repeated though the checkpoint at the last kill was past it`);
    }
    for (const id of seen) this.delivered.add(id);
    const cps = readCheckpoints(this.state);
    // A checkpoint past a line that was never delivered would lose it.
    for (const id of this.world.covered(cps, "any"))
      if (!this.delivered.has(id)) this.fail(`after run ${run}: checkpoint past ${id}, never delivered`);
    this.coveredAtKill = this.world.covered(cps, "all");
    return cps;
  }

  fail(message: string): void {
    if (this.failures.length < 20) this.failures.push(message);
  }

  private count(what: string): void {
    this.rotations[what] = (this.rotations[what] ?? 0) + 1;
  }
}

describe("torture: SIGKILL and restart through rotations", () => {
  it.skipIf(!existsSync(path.join(ROOT, "dist", "cli", "main.js")))(
    "loses no line, and repeats only lines after the last checkpoint before each kill (needs npm run build)",
    async () => {
      console.log(
        `torture seed ${SEED}, ${KILLS} kills (replay: LOGWARD_TORTURE_SEED=${SEED} LOGWARD_TORTURE_KILLS=${KILLS})`,
      );
      const t = new Torture();
      const started = Date.now();
      for (let w = 0; w < WRITERS; w++) t.world.write(w, 5, t.rng);
      for (let run = 0; run < KILLS; run++) {
        const lw = startLogward(["run", "-c", t.config], { env: { OUT: t.output(run) } });
        if (t.rng.next() < 0.2) {
          await sleep(t.rng.int(500)); // killed while starting up
        } else {
          await lw.waitForLog("logward running", 30_000);
          for (let steps = 10 + t.rng.int(30); steps > 0; steps--) await t.liveStep();
          await t.drainDeleted(t.output(run));
          if (t.rng.next() < 0.4) {
            // Killed just after a rename or copytruncate, before or while logward deals with it.
            const w = t.rng.int(WRITERS);
            await t.rotateLive(w, t.rng.pick(["rename", "copytruncate"] as const));
            t.world.write(w, t.rng.int(20), t.rng);
            await sleep(t.rng.int(40));
          } else {
            await sleep(t.rng.int(300));
          }
        }
        lw.child.kill("SIGKILL");
        await lw.exited;
        if (process.env.LOGWARD_TORTURE_KEEP) keep(run, lw.stderr(), t.state);
        const cps = t.finished(run);
        for (let steps = 1 + t.rng.int(8); steps > 0; steps--) t.downStep(cps);
      }
      t.world.close();
      const last = await runLogward(["run", "-c", t.config, "--once"], { env: { OUT: t.output("final") } });
      expect(last.code, last.stderr).toBe(0);
      t.finished("final");
      const lost = t.world.allIds().filter((id) => !t.delivered.has(id));
      const figures = {
        seed: SEED,
        kills: KILLS,
        written: t.world.written,
        emitted: t.emitted,
        duplicates: t.duplicates,
        lost: lost.length,
        rotations: t.rotations,
        ms: Date.now() - started,
      };
      console.log(`torture figures ${JSON.stringify(figures)}`);
      for (const id of lost.slice(0, 5))
        console.log(
          `lost ${id} at ${JSON.stringify(t.world.where.get(id)?.map((l) => ({ key: l.gen.key, offset: l.offset })))}`,
        );
      expect(t.failures, `seed ${SEED}`).toEqual([]);
      expect(lost.slice(0, 10), `lost lines (seed ${SEED})`).toEqual([]);
    },
    180_000,
  );
});
