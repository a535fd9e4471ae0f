// Deterministic access-log generator for the benchmarks: combined format, a 1M-distinct-addresses variant, w3c-csv.
// Usage: node bench/generate.mjs [--lines N] [--variant combined|hosts1m|w3c] [--seed S] [--per-second N] [--out FILE]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "data");
export const DEFAULT_LINES = 2_000_000;
/** Bump when the output of a given (variant, lines, seed, perSecond) changes, so cached files are rebuilt. */
const GENERATOR_VERSION = 3;
const BASE_TIME = Date.UTC(2026, 10, 21, 0, 0, 0) / 1000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
export const W3C_HEADER = '"remotehost","rfc931","authuser","date","request","status","bytes"';

/** sfc32: small, fast, seedable; Math.random cannot be seeded and would make runs incomparable. */
export function prng(seed) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
  "curl/8.5.0",
  "Prometheus/2.51.0",
  "okhttp/4.12.0",
];
/** Rare agent used by the literal case (about 0.7% of lines). */
export const RARE_AGENT = "python-requests/2.31.0";
const REFERERS = [
  "-",
  "-",
  "-",
  "-",
  "-",
  "-",
  "https://www.example.org/",
  "https://www.example.org/blog/",
  "https://www.google.com/",
  "https://duckduckgo.com/",
];
const SLUGS = [
  "release-notes",
  "how-we-scale",
  "postmortem-2026-10",
  "logging-at-scale",
  "hello-world",
  "tail-f-considered",
];
const STATIC = [
  "/static/js/app.3f9a1c.js",
  "/static/css/site.77b2e0.css",
  "/favicon.ico",
  "/static/img/logo.svg",
  "/robots.txt",
];

/** Probes and mobile apps send short agents, browsers long ones. */
function agentFor(target, rand) {
  if (target === "/health") return rand() < 0.5 ? "kube-probe/1.29" : "Prometheus/2.51.0";
  if (target.startsWith("/api/") && rand() < 0.6) return rand() < 0.5 ? "okhttp/4.12.0" : "Dart/3.3 (dart:io)";
  return AGENTS[Math.floor(rand() * AGENTS.length * rand())];
}

/** A client address for the shared pool: mostly IPv4, a few IPv6, skewed so a few hosts dominate. */
function poolAddress(index) {
  if (index % 50 === 7) return `2001:db8:${((index * 2654435761) >>> 16).toString(16)}::${(index % 4096).toString(16)}`;
  const h = Math.imul(index + 1, 2654435761) >>> 0;
  return `${((h >>> 24) % 223) + 1}.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${((h & 255) % 254) + 1}`;
}

/** Address number k (k < 2^24) as a distinct IPv4: the first three octets encode k one-to-one. */
function distinctAddress(k) {
  return `${11 + (k >>> 16)}.${(k >>> 8) & 255}.${k & 255}.${((Math.imul(k, 2246822519) >>> 24) % 254) + 1}`;
}

/** One request: method, target, status, bytes; the target mix decides sections and statuses. */
function request(rand) {
  const r = rand();
  const method = r < 0.86 ? "GET" : r < 0.96 ? "POST" : r < 0.99 ? "HEAD" : "PUT";
  const p = rand();
  let target;
  let status = 200;
  if (p < 0.3) target = STATIC[Math.floor(rand() * STATIC.length)];
  else if (p < 0.55) target = `/api/user/${Math.floor(rand() * 50000)}`;
  else if (p < 0.7) target = `/api/orders/${Math.floor(rand() * 900000)}/items`;
  else if (p < 0.8) target = `/blog/${SLUGS[Math.floor(rand() * SLUGS.length)]}`;
  else if (p < 0.88) target = `/search?q=${Math.floor(rand() * 1e6).toString(36)}&page=${1 + Math.floor(rand() * 5)}`;
  else if (p < 0.92) target = "/health";
  else if (p < 0.995) target = `/products/${Math.floor(rand() * 20000)}`;
  else {
    // scanners: the regex case looks for these when they fail
    target =
      rand() < 0.5 ? "/wp-login.php" : `/wp-login.php?redirect_to=%2Fwp-admin%2F&reauth=${Math.floor(rand() * 2)}`;
    status = rand() < 0.8 ? 404 : rand() < 0.5 ? 403 : 200;
  }
  if (status === 200) {
    const s = rand();
    status = s < 0.05 ? 304 : s < 0.07 ? 301 : s < 0.1 ? 404 : s < 0.105 ? 500 : s < 0.108 ? 503 : s < 0.11 ? 401 : 200;
  }
  const bytes =
    status === 304 ? "-" : String(status >= 300 ? 150 + Math.floor(rand() * 400) : 200 + Math.floor(rand() * 60000));
  const protocol = rand() < 0.3 ? "HTTP/2.0" : "HTTP/1.1";
  return { method, target, status, bytes, protocol };
}

/** Log time advancing about one second per `perSecond` lines, with a slow wave in the rate and a few late lines. */
function makeClock(rand, perSecond) {
  let second = 0;
  let left = perSecond;
  return () => {
    if (--left <= 0) {
      second++;
      const wave = 1 + 0.8 * Math.sin((2 * Math.PI * second) / 1800);
      left = Math.max(1, Math.round(perSecond * wave * (0.8 + 0.4 * rand())));
    }
    const late = rand() < 0.01 ? 1 + Math.floor(rand() * 3) : 0;
    return BASE_TIME + Math.max(0, second - late);
  };
}

const pad = (n) => (n < 10 ? "0" + n : String(n));
function clfTime(epoch) {
  const d = new Date(epoch * 1000);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** A generator of formatted lines for one variant; deterministic for a seed, and a shorter file is a prefix of a longer one. */
export function lineSource({ variant = "combined", seed = 42, perSecond = 50 } = {}) {
  const rand = prng(seed);
  const clock = makeClock(rand, perSecond);
  let index = 0;
  return () => {
    const i = index++;
    const epoch = clock();
    const host =
      variant === "hosts1m" ? distinctAddress((i * 7919) % 1_000_000) : poolAddress(Math.floor(20000 * rand() ** 3));
    const user = rand() < 0.02 ? "alice" : "-";
    const req = request(rand);
    if (variant === "w3c")
      return `"${host}","-","${user}",${epoch},"${req.method} ${req.target} ${req.protocol}",${req.status},${req.bytes === "-" ? 0 : req.bytes}`;
    const referer = req.target.startsWith("/wp-")
      ? "-"
      : rand() < 0.002
        ? "https://old.example.org/wp-login.php"
        : REFERERS[Math.floor(rand() * REFERERS.length)];
    const agent = rand() < 0.007 ? RARE_AGENT : agentFor(req.target, rand);
    return `${host} - ${user} [${clfTime(epoch)}] "${req.method} ${req.target} ${req.protocol}" ${req.status} ${req.bytes} "${referer}" "${agent}"`;
  };
}

/** Write `lines` lines of a variant to `out` in a few MB at a time. */
export function generate({ lines = DEFAULT_LINES, variant = "combined", seed = 42, perSecond = 50, out }) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const next = lineSource({ variant, seed, perSecond });
  const fd = fs.openSync(out + ".tmp", "w");
  let batch = variant === "w3c" ? [W3C_HEADER] : [];
  for (let i = 0; i < lines; i++) {
    batch.push(next());
    if (batch.length === 20000 || i === lines - 1) {
      fs.writeSync(fd, batch.join("\n") + "\n");
      batch = [];
    }
  }
  fs.closeSync(fd);
  fs.renameSync(out + ".tmp", out);
}

/** The data file for these parameters in bench/data, generated unless an identical one is already there. */
export function ensureData({ lines = DEFAULT_LINES, variant = "combined", seed = 42, perSecond = 50 } = {}) {
  const ext = variant === "w3c" ? "csv" : "log";
  const out = path.join(DATA_DIR, `access-${variant}-${lines}.${ext}`);
  const meta = JSON.stringify({ version: GENERATOR_VERSION, lines, variant, seed, perSecond });
  const metaFile = out + ".meta.json";
  if (fs.existsSync(out) && fs.existsSync(metaFile) && fs.readFileSync(metaFile, "utf8") === meta) return out;
  const started = Date.now();
  process.stderr.write(`generating ${path.relative(process.cwd(), out)} (${lines} lines)... `);
  generate({ lines, variant, seed, perSecond, out });
  fs.writeFileSync(metaFile, meta);
  process.stderr.write(
    `${((Date.now() - started) / 1000).toFixed(1)} s, ${(fs.statSync(out).size / 1e6).toFixed(0)} MB\n`,
  );
  return out;
}

function parseArgs(argv) {
  const opts = { lines: DEFAULT_LINES, variant: "combined", seed: 42, perSecond: 50, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--lines") opts.lines = Number(value);
    else if (flag === "--variant") opts.variant = value;
    else if (flag === "--seed") opts.seed = Number(value);
    else if (flag === "--per-second") opts.perSecond = Number(value);
    else if (flag === "--out") opts.out = value;
    else throw new Error(`unknown option ${flag} (see the usage line at the top of bench/generate.mjs)`);
    i++;
  }
  if (!["combined", "hosts1m", "w3c"].includes(opts.variant)) throw new Error(`--variant: ${opts.variant}?`);
  if (!(opts.lines > 0) || !(opts.perSecond > 0)) throw new Error("--lines and --per-second must be positive numbers");
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.out) generate(opts);
    else opts.out = ensureData(opts);
    process.stdout.write(opts.out + "\n");
  } catch (err) {
    process.stderr.write(`generate: ${err.message}\n`);
    process.exitCode = 2;
  }
}
