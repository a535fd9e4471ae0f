// The UI's files: a fixed whitelist read into memory at startup; no request path ever reaches the filesystem.
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LogwardError } from "../core/errors.js";
import { runningAsSea, seaAsset } from "../core/sea.js";

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * The UI folder. The same relative URL resolves from src/web/*.ts (tests, tsx) and from dist/web/*.js
 * (the build): both sit two levels below the package root, and the assets stay in src/web/ui/ (the
 * package's `files` must list it).
 */
export const UI_DIR: string = fileURLToPath(new URL("../../src/web/ui/", import.meta.url));

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/**
 * URL path → file; uPlot comes from the installed package, so the page needs no network. `key` names the file in
 * the standalone binary, which embeds them all (scripts/package.mjs embeds exactly this list).
 */
export function whitelist(): Record<string, { file: string; key: string; contentType: string }> {
  const sea = runningAsSea();
  const require = createRequire(import.meta.url);
  const ui = (name: string) => ({ file: sea ? "" : UI_DIR + name, key: `ui/${name}` });
  return {
    "/": { ...ui("index.html"), contentType: "text/html; charset=utf-8" },
    "/app.js": { ...ui("app.js"), contentType: JS },
    "/stream.js": { ...ui("stream.js"), contentType: JS },
    "/tail.js": { ...ui("tail.js"), contentType: JS },
    "/traffic.js": { ...ui("traffic.js"), contentType: JS },
    "/search.js": { ...ui("search.js"), contentType: JS },
    "/app.css": { ...ui("app.css"), contentType: CSS },
    "/vendor/uPlot.iife.min.js": {
      file: sea ? "" : require.resolve("uplot/dist/uPlot.iife.min.js"),
      key: "uplot/uPlot.iife.min.js",
      contentType: JS,
    },
    "/vendor/uPlot.min.css": {
      file: sea ? "" : require.resolve("uplot/dist/uPlot.min.css"),
      key: "uplot/uPlot.min.css",
      contentType: CSS,
    },
  };
}

/** Read every whitelisted asset; a missing file is an installation problem, reported once at startup. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const sea = runningAsSea();
  for (const [path, { file, key, contentType }] of Object.entries(whitelist())) {
    let body: Buffer;
    try {
      body = sea ? seaAsset(key) : await readFile(file);
    } catch (err) {
      throw new LogwardError("WEB_FAILED", `web UI file missing: ${sea ? key : file}`, { cause: err });
    }
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
    assets.set(path, { body, contentType, etag });
  }
  return assets;
}
