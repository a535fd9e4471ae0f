// Kubernetes node logs end to end: CRI and docker files under /var/log/pods, lines the runtime split joined before
// rules see them, across a rotation and across a restart with a line half written.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, startLogward, tempDir, waitFor, type Running } from "./helpers.js";

let dir: string;
let cleanup: () => void;
const running: Running[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir("logward-pods-")));
afterEach(async () => {
  for (const lw of running.splice(0)) await lw.stop();
  cleanup();
});

const built = fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"));
const T = "2026-12-07T01:02:03.000000001Z";
const cri = (flag: "P" | "F", log: string, stream = "stdout") => `${T} ${stream} ${flag} ${log}\n`;

interface Out {
  line: string;
  fields: Record<string, unknown>;
}

function outputOf(file: string): Out[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, "utf8");
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Out);
}

function setup(parser: "cri" | "docker") {
  const podDir = path.join(dir, "var", "log", "pods", "shop_web-7d9f_0f1e-2d3c", "nginx");
  fs.mkdirSync(podDir, { recursive: true });
  const log = path.join(podDir, "0.log");
  fs.writeFileSync(log, "");
  const config = path.join(dir, "logward.yaml");
  fs.writeFileSync(
    config,
    [
      `state_dir: ${path.join(dir, "state")}`,
      "sources:",
      `  pods: { path: "${dir}/var/log/pods/*/*/*.log", parser: ${parser}, start_at: beginning,`,
      "          rescan: 200ms, rotate_wait: 500ms }",
      "rules: { all: { source: pods, actions: [out] } }",
      'actions: { out: { type: file, path: "${OUT}" } }',
    ].join("\n"),
  );
  const out = (run: number) => path.join(dir, `out-${run}.ndjson`);
  const start = async (run: number) => {
    const lw = startLogward(["run", "-c", config], { env: { OUT: out(run) } });
    running.push(lw);
    await lw.waitForLog("logward running", 30_000);
    return lw;
  };
  return { log, out, start };
}

describe.skipIf(!built)("container logs from a Kubernetes node", () => {
  it("cri: parts joined, the pod's names as fields, a rotation in the middle of a split line", async () => {
    const { log, out, start } = setup("cri");
    await start(0);
    fs.appendFileSync(log, cri("P", '{"msg":"a very') + cri("P", " long") + cri("F", ' line"}'));
    fs.appendFileSync(log, cri("F", "error: db down", "stderr") + cri("P", "rotated-"));
    await waitFor(() => outputOf(out(0)).length >= 2, "the first two lines");
    // kubelet renames the file; the runtime finishes its line in the file it has open, then writes to the new one.
    const rotated = `${log}.20261207-010203`;
    fs.renameSync(log, rotated);
    fs.appendFileSync(rotated, cri("P", "in-") + cri("F", "old-file"));
    fs.writeFileSync(log, cri("P", "split-by-"));
    await waitFor(
      () => outputOf(out(0)).some((o) => o.line === "rotated-in-old-file"),
      "the line finished after the rename",
    );
    // The next rotation comes in the middle of a line: its parts are in two files.
    fs.renameSync(log, `${log}.20261207-010204`);
    fs.writeFileSync(log, cri("F", "rotation") + cri("F", "last"));
    await waitFor(() => outputOf(out(0)).some((o) => o.line === "last"), "the last line");
    await waitFor(() => outputOf(out(0)).length >= 6, "the half line of the rotated-away file");
    const got = outputOf(out(0));
    expect(got.map((o) => o.line).sort()).toEqual(
      ['{"msg":"a very long line"}', "error: db down", "rotated-in-old-file", "split-by-", "rotation", "last"].sort(),
    );
    expect(got[0]!.fields).toMatchObject({ namespace: "shop", pod: "web-7d9f", container: "nginx", stream: "stdout" });
    expect(got.find((o) => o.line === "error: db down")?.fields.stream).toBe("stderr");
    // Nothing lost, nothing joined wrongly: the half line is marked as a part.
    expect(got.find((o) => o.line === "split-by-")?.fields.partial).toBe(true);
  });

  it("cri: a stop while a line is half written resumes at its start, so the whole line comes once", async () => {
    const { log, out, start } = setup("cri");
    const one = await start(0);
    fs.appendFileSync(log, cri("F", "before") + cri("P", "first half, "));
    await waitFor(() => outputOf(out(0)).length >= 1, "the whole line");
    await one.stop();
    running.splice(running.indexOf(one), 1);
    fs.appendFileSync(log, cri("F", "second half"));
    await start(1);
    await waitFor(() => outputOf(out(1)).length >= 1, "the joined line after the restart");
    fs.appendFileSync(log, cri("F", "after"));
    await waitFor(() => outputOf(out(1)).some((o) => o.line === "after"), "a new line");
    expect(outputOf(out(0)).map((o) => o.line)).toEqual(["before"]);
    expect(outputOf(out(1)).map((o) => o.line)).toEqual(["first half, second half", "after"]);
  });

  it("docker: a record without its newline joined with the next, the time from the record", async () => {
    const { log, out, start } = setup("docker");
    await start(0);
    const rec = (text: string, time: string) => `${JSON.stringify({ log: text, stream: "stdout", time })}\n`;
    fs.appendFileSync(
      log,
      rec("x".repeat(16_384), "2026-12-07T01:00:00.25Z") +
        rec("y\n", "2026-12-07T01:00:01Z") +
        rec("ok\n", "2026-12-07T01:00:02Z"),
    );
    await waitFor(() => outputOf(out(0)).length >= 2, "both lines");
    const got = outputOf(out(0)) as (Out & { time: string })[];
    expect(got.map((o) => o.line)).toEqual([`${"x".repeat(16_384)}y`, "ok"]);
    expect(got[0]!.time).toBe("2026-12-07T01:00:00.250Z");
  });
});
