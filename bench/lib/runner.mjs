// Runs one case: warm page cache, contenders alternating run after run, median time, peak RSS, counts checked.
import fs from "node:fs";
import path from "node:path";
import { measure, median, warmPageCache } from "./measure.mjs";

const slug = (text) =>
  text
    .replace(/[^a-z0-9]+/gi, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
const tail = (file) =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").slice(-3).join(" | ").slice(0, 400) : "";

/** One measured run of a contender in a fresh folder (its state, config and output), removed afterwards. */
function runOnce(contender, { meter, workDir, verify }) {
  const dir = fs.mkdtempSync(path.join(workDir, `${slug(contender.name)}-`));
  try {
    const run = { ...contender.prepare(dir), stdout: path.join(dir, "stdout"), stderr: path.join(dir, "stderr") };
    const m = measure(meter, run.argv, { stdout: run.stdout, stderr: run.stderr, env: contender.env });
    const sample = { seconds: m.seconds, rssMB: m.rssMB, cpu: m.cpu, rc: m.rc };
    if (m.rc !== 0) {
      sample.error = `exit ${m.rc}: ${tail(run.stderr) || tail(run.stdout)}`;
      return sample;
    }
    sample.count = contender.count(run);
    if (verify && contender.matchedLines) sample.sameLines = sameLines(contender.matchedLines(run), verify());
    return sample;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function sameLines(mine, reference) {
  if (mine.length !== reference.length) return false;
  return mine.every((line, i) => line === reference[i]);
}

/** Median time, max RSS, and whether every run's count equals the expected one. */
function summarise(contender, samples, expected) {
  const good = samples.filter((s) => !s.error);
  const seconds = good.length ? median(good.map((s) => s.seconds)) : undefined;
  const counts = [...new Set(good.map((s) => s.count))];
  const summary = {
    name: contender.name,
    tool: contender.tool,
    file: contender.file,
    lines: contender.lines,
    runs: good.length,
    seconds,
    linesPerSec: seconds ? contender.lines / seconds : undefined,
    best: good.length ? Math.min(...good.map((s) => s.seconds)) : undefined,
    cpu: good.length ? median(good.map((s) => s.cpu)) : undefined,
    rssMB: good.length ? Math.max(...good.map((s) => s.rssMB)) : undefined,
    count: counts.length === 1 ? counts[0] : undefined,
    error: samples.find((s) => s.error)?.error,
  };
  const sameLines = good.find((s) => s.sameLines !== undefined)?.sameLines;
  if (summary.error || counts.length !== 1) {
    summary.ok = false;
    summary.correct = summary.error ? "failed" : `counts differ between runs: ${counts.join(", ")}`;
  } else if (expected === undefined) {
    summary.correct = `${summary.count} (no reference)`;
  } else {
    summary.ok = summary.count === expected && sameLines !== false;
    summary.correct = `${summary.count} ${summary.count === expected ? "=" : "≠"} ${expected}${sameLines === undefined ? "" : sameLines ? ", same lines" : ", DIFFERENT lines"}`;
  }
  return summary;
}

/** Run a case `runs` times, alternating the order of its contenders each run; returns { name → summary }. */
export function runCase(testCase, { meter, runs, workDir, log }) {
  for (const file of new Set(testCase.contenders.map((c) => c.file))) warmPageCache(file);
  const samples = new Map(testCase.contenders.map((c) => [c.name, []]));
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? testCase.contenders : [...testCase.contenders].reverse();
    for (const contender of order) {
      const verify = r === 0 ? testCase.verifyLines : undefined;
      const sample = runOnce(contender, { meter, workDir, verify });
      samples.get(contender.name).push(sample);
      const what = sample.error
        ? `FAILED ${sample.error}`
        : `${sample.seconds.toFixed(3)} s  ${sample.rssMB.toFixed(0)} MB  count ${sample.count}`;
      log(`  ${testCase.name} run ${r + 1}/${runs}  ${contender.name.padEnd(28)} ${what}`);
    }
  }
  const reference = testCase.contenders.find((c) => c.name === testCase.reference);
  const referenceCount = reference ? summarise(reference, samples.get(reference.name), undefined).count : undefined;
  const results = {};
  for (const contender of testCase.contenders) {
    const expected = contender.expected ? contender.expected() : referenceCount;
    results[contender.name] = summarise(
      contender,
      samples.get(contender.name),
      contender === reference ? undefined : expected,
    );
    if (contender === reference && results[contender.name].ok !== false) {
      results[contender.name].ok = true;
      results[contender.name].correct = `${results[contender.name].count} (reference)`;
    }
  }
  return results;
}
