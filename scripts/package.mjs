// `npm run package`: the standalone binary (Node's single-executable applications, on Node 24 from the npm registry)
// and the Debian package, in dist/pkg/. Run after `npm run build` (the npm script does both).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { whitelist } from "../dist/web/assets.js";
import { buildDeb } from "./package-deb.mjs";

const OUT = "dist/pkg";
const WORK = path.join(OUT, "work");
const { version } = JSON.parse(fs.readFileSync("package.json", "utf8"));
/** The Node line the binary is built on; the blob must be made by the very node binary it is injected into. */
const NODE_LINE = "24";
const POSTJECT = "postject@1.0.0-alpha.6";
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * Node 24 and postject from the npm registry, in a folder of their own outside the project (the project's lock file
 * stays as it is); installed once, reused by later runs. LOGWARD_PACKAGE_TOOLS picks another folder.
 */
function tools() {
  const dir = process.env.LOGWARD_PACKAGE_TOOLS || path.join(os.tmpdir(), `logward-package-tools-${os.userInfo().uid}`);
  const node = path.join(dir, "node_modules", "node", "bin", "node");
  const postject = path.join(dir, "node_modules", "postject", "dist", "cli.js");
  const current =
    fs.existsSync(node) && execFileSync(node, ["--version"], { encoding: "utf8" }).startsWith(`v${NODE_LINE}.`);
  if (!current || !fs.existsSync(postject)) {
    console.log(`package: installing node@${NODE_LINE} and ${POSTJECT} into ${dir}`);
    fs.mkdirSync(dir, { recursive: true });
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        dir,
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        `node@${NODE_LINE}`,
        POSTJECT,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  return { node, postject };
}

/** Everything in one CommonJS script: in the binary, require() reaches Node's built-in modules only. */
async function bundle(file) {
  await build({
    entryPoints: ["scripts/sea-entry.mjs"],
    outfile: file,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: `node${NODE_LINE}`,
    // The binary's code cache (useCodeCache) does not work with import(): lazy commands and kinds become require().
    supported: { "dynamic-import": false },
    // Nothing is read beside the code: package.json and the UI are assets (src/core/sea.ts), so any URL will do.
    define: { "import.meta.url": "__logwardBundleUrl" },
    banner: { js: `"use strict";\nvar __logwardBundleUrl = require("node:url").pathToFileURL(process.execPath).href;` },
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
  });
}

/** The files the binary carries: package.json and every file the web UI serves, under the keys it reads them by. */
function assets() {
  const files = { "package.json": path.resolve("package.json") };
  for (const { key, file } of Object.values(whitelist())) files[key] = file;
  return files;
}

async function buildBinary() {
  const { node, postject } = tools();
  const main = path.join(WORK, "logward-sea.cjs");
  const blob = path.join(WORK, "logward.blob");
  await bundle(main);
  const config = { main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets: assets() };
  fs.writeFileSync(path.join(WORK, "sea-config.json"), JSON.stringify(config, null, 2));
  execFileSync(node, ["--experimental-sea-config", path.join(WORK, "sea-config.json")], { stdio: "inherit" });

  const binary = path.join(OUT, `logward-${version}-linux-x64`);
  fs.copyFileSync(node, binary);
  fs.chmodSync(binary, 0o755);
  stripIfPossible(binary);
  // postject warns about every unnamed note section of the ELF file: its output is shown only when it fails.
  const injected = spawnSync(node, [postject, binary, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], {
    encoding: "utf8",
  });
  if (injected.status !== 0) throw new Error(`postject failed:\n${injected.stdout}${injected.stderr}`);
  // logs2eca is the same file under another name (it dispatches on the name it was started as).
  fs.linkSync(binary, path.join(OUT, "logs2eca"));
  return binary;
}

/** The registry's node carries its debug symbols (a sixth of the binary); binutils' strip drops them where it is. */
function stripIfPossible(binary) {
  try {
    execFileSync("strip", [binary], { stdio: "ignore" });
  } catch {
    console.log("package: no strip (binutils): the binary keeps its debug symbols");
  }
}

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(WORK, { recursive: true });
const binary = await buildBinary();
const deb = await buildDeb({ binary, version, outDir: OUT, workDir: WORK });
fs.rmSync(WORK, { recursive: true, force: true });
for (const file of [binary, path.join(OUT, "logs2eca"), deb]) {
  console.log(`package: ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
}
