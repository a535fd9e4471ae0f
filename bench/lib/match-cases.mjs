// Issue 16's cases: everyday pattern shapes one by one, and sets of 10, 100 and 1,000 rules, each beside GNU grep
// (-cE, or -cE -f for a set) on the same file, checking that logward records exactly the lines grep counts.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOGWARD_BIN } from "./peers.mjs";

const MB = 100;
const fmt = (n, digits = 2) => (n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits));
const kLines = (n) => (n === undefined ? "n/a" : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${Math.round(n / 1e3)}k`);
const target = (text, measured, met) => ({ target: text, measured, met });
const speedRatio = (mine, peer) => (mine?.seconds && peer?.seconds ? peer.seconds / mine.seconds : undefined);

/**
 * A shape: `js` is the logward regex (between slashes, with flags), `ere` the same language for grep -E (with
 * -i when the rule folds case). The first four are issue 16's own; the next ones match lines of the bench data.
 */
export const SHAPES = [
  {
    name: "shape-escaped",
    js: '/\\/api\\/v[0-9]+\\/[a-z]+(\\?id=[0-9]+)? HTTP\\/1\\.[01]" 5[0-9]{2} /',
    ere: '/api/v[0-9]+/[a-z]+(\\?id=[0-9]+)? HTTP/1\\.[01]" 5[0-9]{2} ',
  },
  { name: "shape-alternation", js: '/" (?:502|503|504) \\d+ /', ere: '" (502|503|504) [0-9]+ ' },
  { name: "shape-caseless", js: "/wp-admin|phpmyadmin|\\.env HTTP/i", ere: "wp-admin|phpmyadmin|\\.env HTTP", i: true },
  { name: "shape-literal-class", js: "/orders\\?id=\\d*37 /", ere: "orders\\?id=[0-9]*37 " },
  {
    name: "shape-escaped-data",
    js: '/\\/api\\/orders\\/[0-9]+\\/items HTTP\\/1\\.[01]" 5[0-9]{2} /',
    ere: '/api/orders/[0-9]+/items HTTP/1\\.[01]" 5[0-9]{2} ',
  },
  { name: "shape-literal-class-data", js: "/orders\\/\\d*37\\/items /", ere: "orders/[0-9]*37/items " },
  {
    name: "shape-fail2ban",
    js: '/^[0-9.]+ - \\S+ \\[[^\\]]+\\] "(?:GET|POST) \\/wp-login\\.php[^"]*" 40[34] /',
    ere: '^[0-9.]+ - [^ ]+ \\[[^]]+\\] "(GET|POST) /wp-login\\.php[^"]*" 40[34] ',
  },
  { name: "shape-caseless-literal", js: "/PYTHON-REQUESTS/i", ere: "PYTHON-REQUESTS", i: true },
  {
    name: "shape-anchored",
    js: '/^10\\.1\\d*\\.\\d+\\.\\d+ .*" 404 /',
    ere: '^10\\.1[0-9]*\\.[0-9]+\\.[0-9]+ .*" 404 ',
  },
];

/** Letters outside bracket expressions written as [xX], so grep -E matches them in either case like /i. */
function caseless(ere) {
  let out = "";
  let inClass = false;
  for (let i = 0; i < ere.length; i++) {
    const ch = ere[i];
    if (ch === "\\" && !inClass) out += ch + (ere[++i] ?? "");
    else if (inClass) {
      out += ch;
      if (ch === "]" && ere[i - 1] !== "[" && ere[i - 1] !== "^") inClass = false;
    } else if (ch === "[") {
      inClass = true;
      out += ch;
    } else out += /[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch;
  }
  return out;
}

/** Rule i of a generated set: templates of everyday rules (fail2ban-like, /i literals, `(A|B).*word`, anchors). */
function generatedRule(i) {
  const n = String(i);
  const templates = [
    () => ({ js: `/\\/api\\/user\\/${n}[0-9]* HTTP/`, ere: `/api/user/${n}[0-9]* HTTP` }),
    () => ({ js: `/wp-admin\\/setup-${n}\\.php|phpMyAdmin-${n}/i`, ere: `wp-admin/setup-${n}\\.php|phpMyAdmin-${n}`, i: true }),
    () => ({ js: `/" (?:500|503) ${150 + (i % 400)} "/`, ere: `" (500|503) ${150 + (i % 400)} "` }),
    () => ({ js: `/(?:Googlebot|bingbot).*orders\\/${n}\\//`, ere: `(Googlebot|bingbot).*orders/${n}/` }),
    () => ({ js: `/^${i % 256}\\.${(i * 7) % 256}\\.\\d+/`, ere: `^${i % 256}\\.${(i * 7) % 256}\\.[0-9]+` }),
    () => ({ js: `/X-Trace-${n}/i`, ere: `X-Trace-${n}`, i: true }),
    () => ({ js: `/\\/api\\/orders\\/${n}\\d\\/items HTTP\\/1\\.1" 404/`, ere: `/api/orders/${n}[0-9]/items HTTP/1\\.1" 404` }),
  ]; // prettier-ignore
  return (templates[i % templates.length] ?? templates[0])();
}

export function ruleSet(count) {
  return Array.from({ length: count }, (_, i) => generatedRule(i));
}

const STARTUP = "logward start-up: same rules, empty file";

/** An empty log: logward's start-up with a config (loading, compiling the rules) and nothing to read. */
function emptyLog() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "logward-empty-")), "empty.log");
  fs.writeFileSync(file, "");
  return file;
}

/** logward run --once with one rule per pattern, all recording into one file action. */
function logwardRules({ file, lines, patterns, name = "logward run --once" }) {
  return {
    name,
    ...(lines === 0 ? { expected: () => 0 } : {}),
    tool: "logward",
    file,
    lines,
    prepare(dir) {
      const matches = path.join(dir, "matches.ndjson");
      const rules = Object.fromEntries(
        patterns.map((match, i) => [`r${i}`, { source: "access", match, actions: ["record"] }]),
      );
      const config = {
        state_dir: path.join(dir, "state"),
        log: { level: "warn" },
        sources: { access: { path: file, start_at: "beginning" } },
        rules,
        actions: { record: { type: "file", path: matches } },
      };
      const configFile = path.join(dir, "logward.json");
      fs.writeFileSync(configFile, JSON.stringify(config));
      return {
        argv: [process.execPath, LOGWARD_BIN, "--log-format", "json", "run", "--once", "-c", configFile],
        matches,
      };
    },
    count: (run) => distinctLines(run).length,
    matchedLines: (run) => distinctLines(run),
  };
}

/** The lines recorded, each once: a line that several rules matched is one line for grep. */
function distinctLines(run) {
  if (!fs.existsSync(run.matches)) return [];
  const out = [];
  const seen = new Set();
  for (const text of fs.readFileSync(run.matches, "utf8").split("\n")) {
    if (!text) continue;
    const record = JSON.parse(text);
    if (seen.has(record.offset)) continue;
    seen.add(record.offset);
    out.push({ offset: record.offset, line: record.line });
  }
  return out.sort((a, b) => a.offset - b.offset).map((r) => r.line);
}

function grepPatterns({ grep, file, lines, eres, name }) {
  return {
    name,
    tool: "grep",
    file,
    lines,
    env: { ...process.env, LC_ALL: "C" },
    prepare(dir) {
      const list = path.join(dir, "patterns.txt");
      fs.writeFileSync(list, eres.join("\n") + "\n");
      // grep exits 1 when no line matches: a count of 0 is a result here, not a failure.
      return { argv: ["/bin/sh", "-c", '"$0" "$@"; test $? -le 1', grep, "-cE", "-f", list, file] };
    },
    count: (run) => Number(fs.readFileSync(run.stdout, "utf8").trim()),
  };
}

function grepMatching({ grep, file, eres }) {
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-grep-"));
    const list = path.join(dir, "patterns.txt");
    fs.writeFileSync(list, eres.join("\n") + "\n");
    let out = "";
    try {
      out = execFileSync(grep, ["-E", "-f", list, file], {
        env: { ...process.env, LC_ALL: "C" },
        maxBuffer: 1 << 30,
        encoding: "utf8",
      });
    } catch (err) {
      if (err.status !== 1) throw err; // 1: no line matched
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return out.split("\n").filter((l) => l !== "");
  };
}

/** One case: logward with these rules beside grep -cE -f with the same patterns. */
function setCase({ name, title, peers, file, lines, rules, grepFloor, speedFloor, scaling }) {
  const eres = rules.map((r) => (r.i ? caseless(r.ere) : r.ere));
  const grepName = "grep -cE -f";
  const patterns = rules.map((r) => r.js);
  const contenders = [logwardRules({ file, lines, patterns })];
  // Issue 16 compares the matching time: logward's time past its own start-up (this row) against grep's.
  const startup = logwardRules({ file: emptyLog(), lines: 0, patterns, name: STARTUP });
  delete startup.matchedLines; // it has none to compare with grep's
  contenders.push(startup);
  if (peers.grep.path) contenders.push(grepPatterns({ grep: peers.grep.path, file, lines, eres, name: grepName }));
  return {
    name,
    title,
    contenders,
    reference: grepName,
    verifyLines: peers.grep.path ? grepMatching({ grep: peers.grep.path, file, eres }) : undefined,
    targets(results, others = {}) {
      const mine = results["logward run --once"];
      const ratio = speedRatio(mine, results[grepName]);
      const startup = results[STARTUP]?.seconds;
      const past = mine?.seconds && startup !== undefined ? mine.seconds - startup : undefined;
      const pastRatio = past > 0 && results[grepName]?.seconds ? results[grepName].seconds / past : undefined;
      const rows = [
        target(`${name}: ≥ ${grepFloor}× ${grepName}, whole process`, `${fmt(ratio)}×`, ratio >= grepFloor),
        target(
          `${name}: ≥ ${grepFloor}× ${grepName}, logward's time past its start-up (${fmt(startup)} s)`,
          `${fmt(pastRatio)}× (${fmt(past)} s)`,
          pastRatio >= grepFloor,
        ),
      ];
      if (speedFloor)
        rows.push(target(`${name}: ≥ ${kLines(speedFloor)} lines/s`, `${kLines(mine?.linesPerSec)}`, mine?.linesPerSec >= speedFloor));
      rows.push(target(`${name}: exactly grep's matches`, mine?.correct ?? "n/a", mine?.ok === true));
      rows.push(target(`${name}: peak RSS ≤ ${MB} MB`, `${fmt(mine?.rssMB, 0)} MB`, mine?.rssMB <= MB));
      if (scaling) rows.push(scalingTarget(name, mine, others[scaling.against]?.["logward run --once"], scaling));
      return rows;
    },
  }; // prettier-ignore
}

/**
 * Issue 16: the time for many rules at most `factor` times the time for few, whole process, on the medians (the
 * best runs beside them: the machine's noise moves a longer run more in seconds).
 */
function scalingTarget(name, mine, few, { against, factor }) {
  const label = `${name}: ≤ ${factor}× the time of ${against}, whole process`;
  if (!mine?.seconds || !few?.seconds) return target(label, `n/a (run ${against} in the same run)`, false);
  const ratio = mine.seconds / few.seconds;
  const best = mine.best / few.best;
  const cpu = mine.cpu / few.cpu;
  const measured = `${fmt(ratio)}× (${fmt(mine.seconds, 3)} / ${fmt(few.seconds, 3)} s; best runs ${fmt(best)}×, CPU ${fmt(cpu)}×)`;
  return target(label, measured, ratio <= factor);
}

export const MATCH_CASE_NAMES = [...SHAPES.map((s) => s.name), "rules-10", "rules-100", "rules-1000"];

/** Issue 16's cases on the combined file. */
export function buildMatchCases({ peers, data }) {
  const { combined } = data;
  const shapes = SHAPES.map((shape) =>
    setCase({ name: shape.name, title: `${shape.name}: ${shape.js}`, peers, ...combined, rules: [shape], grepFloor: 0.4 }),
  ); // prettier-ignore
  const sets = [10, 100, 1000].map((count) =>
    setCase({
      name: `rules-${count}`,
      title: `${count} generated rules (fail2ban-like, /i literals, (A|B).*word, anchors) vs grep -cE -f`,
      peers,
      ...combined,
      rules: ruleSet(count),
      grepFloor: 0.3,
      speedFloor: count === 100 ? 1.5e6 : undefined,
      scaling: count === 1000 ? { against: "rules-10", factor: 3 } : undefined,
    }),
  );
  return [...shapes, ...sets];
}
