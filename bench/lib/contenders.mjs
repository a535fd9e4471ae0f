// The commands measured: logward (run --once, stats --replay) and its peers, each with how to count and check its output.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { LOGWARD_BIN } from "./peers.mjs";

const logward = (...args) => [process.execPath, LOGWARD_BIN, "--log-format", "json", ...args];
const lineCount = (text) => (text === "" ? 0 : text.split("\n").filter((l) => l !== "").length);

/**
 * `logward run --once` with a fresh state dir (checkpoints would make a second run read nothing), the file source
 * reading from the beginning, one rule and a `file` action recording each match as one JSON line.
 */
export function logwardCatchUp({ name = "logward run --once", file, lines, pattern }) {
  return {
    name,
    tool: "logward",
    file,
    lines,
    prepare(dir) {
      const matches = path.join(dir, "matches.ndjson");
      const config = {
        state_dir: path.join(dir, "state"),
        log: { level: "warn" },
        sources: { access: { path: file, start_at: "beginning" } },
        rules: { bench: { source: "access", match: pattern, actions: ["record"] } },
        actions: { record: { type: "file", path: matches } },
      };
      const configFile = path.join(dir, "logward.json");
      fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
      return { argv: logward("run", "--once", "-c", configFile), matches };
    },
    count: (run) => (fs.existsSync(run.matches) ? lineCount(fs.readFileSync(run.matches, "utf8")) : 0),
    matchedLines: (run) =>
      fs.existsSync(run.matches)
        ? fs
            .readFileSync(run.matches, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l).line)
        : [],
  };
}

/** `grep -c` (`-E` regex or `-F` literal), byte-oriented (LC_ALL=C) as people run it on logs. */
export function grepCount({ grep, file, lines, mode, pattern }) {
  return {
    name: `grep -c${mode}`,
    tool: "grep",
    file,
    lines,
    env: { ...process.env, LC_ALL: "C" },
    prepare: () => ({ argv: [grep, `-c${mode}`, "--", pattern, file] }),
    count: (run) => Number(fs.readFileSync(run.stdout, "utf8").trim()),
  };
}

/** The lines grep prints for the pattern, to compare logward's recorded lines with, in order. */
export function grepLines({ grep, file, mode, pattern }) {
  const out = execFileSync(grep, [`-${mode}`, "--", pattern, file], {
    env: { ...process.env, LC_ALL: "C" },
    maxBuffer: 1 << 30,
    encoding: "utf8",
  });
  return out.split("\n").filter((l) => l !== "");
}

/** swatchdog --examine reads the file once; `echo normal` prints each match (its banner lines start with ***). */
export function swatchdogCount({ swatchdog, file, lines, regex }) {
  return {
    name: "swatchdog --examine",
    tool: "swatchdog",
    file,
    lines,
    prepare(dir) {
      const config = path.join(dir, "swatchdog.conf");
      fs.writeFileSync(config, `watchfor /${regex.replaceAll("/", "\\/")}/\n  echo normal\n`);
      return { argv: [swatchdog, `--config-file=${config}`, `--examine=${file}`, `--script-dir=${dir}`] };
    },
    count: (run) =>
      fs
        .readFileSync(run.stdout, "utf8")
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("***")).length,
  };
}

/**
 * `logward stats FILE --replay --json`; its "replay finished" log line counts the requests: `hits` in order and `late`
 * ones (both parsed and counted; a w3c-csv header is neither), `invalid` the lines it could not parse.
 */
export function logwardStats({ name = "logward stats --replay", file, lines, format }) {
  return {
    name,
    tool: "logward",
    file,
    lines,
    expected: () => lines,
    prepare: () => ({ argv: logward("stats", file, "--replay", "--json", "--format", format) }),
    count(run) {
      const summary = fs
        .readFileSync(run.stderr, "utf8")
        .split("\n")
        .filter((l) => l.includes("replay finished"))
        .map((l) => JSON.parse(l))[0];
      if (!summary) return undefined;
      return (summary.hits ?? 0) + (summary.late ?? 0);
    },
  };
}

/** GoAccess's JSON report of the whole file; `general.valid_requests` is what it parsed. */
export function goaccessReport({ goaccess, file, lines }) {
  return {
    name: "goaccess -o report.json",
    tool: "goaccess",
    file,
    lines,
    expected: () => lines,
    prepare(dir) {
      const report = path.join(dir, "report.json");
      return {
        argv: [goaccess, file, "--log-format=COMBINED", "--no-global-config", "--no-progress", "-o", report],
        report,
      };
    },
    count(run) {
      if (!fs.existsSync(run.report)) return undefined;
      const general = JSON.parse(fs.readFileSync(run.report, "utf8")).general;
      fs.rmSync(run.report); // tens of MB with many distinct addresses
      return general?.valid_requests;
    },
  };
}
