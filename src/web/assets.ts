// The UI's files: a fixed whitelist read into memory at startup; no request path ever reaches the filesystem.
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LogwardError } from "../core/errors.js";

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

/** URL path → file; uPlot comes from the installed package, so the page needs no network. */
function whitelist(): Record<string, { file: string; contentType: string }> {
  const require = createRequire(import.meta.url);
  const ui = (name: string): string => UI_DIR + name;
  return {
    "/": { file: ui("index.html"), contentType: "text/html; charset=utf-8" },
    "/app.js": { file: ui("app.js"), contentType: JS },
    "/stream.js": { file: ui("stream.js"), contentType: JS },
    "/tail.js": { file: ui("tail.js"), contentType: JS },
    "/traffic.js": { file: ui("traffic.js"), contentType: JS },
    "/search.js": { file: ui("search.js"), contentType: JS },
    "/app.css": { file: ui("app.css"), contentType: CSS },
    "/vendor/uPlot.iife.min.js": { file: require.resolve("uplot/dist/uPlot.iife.min.js"), contentType: JS },
    "/vendor/uPlot.min.css": { file: require.resolve("uplot/dist/uPlot.min.css"), contentType: CSS },
  };
}

/** Read every whitelisted asset; a missing file is an installation problem, reported once at startup. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, contentType }] of Object.entries(whitelist())) {
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (err) {
      throw new LogwardError("WEB_FAILED", `web UI file missing: ${file}`, { cause: err });
    }
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
    assets.set(path, { body, contentType, etag });
  }
  return assets;
}
