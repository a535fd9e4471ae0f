// Bundles the compiled CLI (dist/cli/main.js) into one CommonJS file, dist/bundle/logward.cjs, which bin/start.cjs
// runs through V8's code cache: a command then starts without parsing or compiling most of its code (≈ 50 ms less
// per start than loading ~250 ES modules, and ≈ 30 ms less than a code-split ES module bundle).
import { createHash } from "node:crypto";
import fs from "node:fs";
import { build } from "esbuild";

const BUNDLE = "dist/bundle/logward.cjs";
/** The bundle's first line names its content, so bin/start.cjs keeps code caches apart by content, not by date. */
const STAMP_PLACEHOLDER = "/*logward-bundle 0000000000000000*/";

// Starts from an empty folder (code caches live in the per-user cache folder, keyed by the bundle's hash).
fs.rmSync("dist/bundle", { recursive: true, force: true });

/**
 * commander requires child_process (and with it net, dgram and more) for the executable subcommands logward
 * does not use: that require is made lazy, so every start stops paying for it. The build fails if commander's
 * line changes, rather than bundle it unpatched.
 */
const lazyCommanderChildProcess = {
  name: "lazy-commander-child-process",
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const lazy = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
      const source = await fs.promises.readFile(args.path, "utf8");
      if (source.split(eager).length !== 2 || /childProcess\.(?!spawn\()/.test(source))
        throw new Error(`${args.path}: commander's child_process require changed; update scripts/bundle.mjs`);
      return { contents: source.replace(eager, lazy), loader: "js" };
    });
  },
};

await build({
  entryPoints: ["dist/cli/main.js"],
  plugins: [lazyCommanderChildProcess],
  outfile: BUNDLE,
  bundle: true,
  // CommonJS because Node 20 has a code cache only for scripts (vm.Script), not for ES modules.
  format: "cjs",
  platform: "node",
  target: "node20",
  // Loaded only by the web UI and NATS kinds, and large: they keep their own files in node_modules.
  external: ["fastify", "@nats-io/*"],
  // A script run by vm.Script cannot import(): lazily loaded commands and kinds become require() calls.
  supported: { "dynamic-import": false },
  // import.meta.url locates package.json and the web UI; the bundle sits where the ES modules' bundle did.
  define: { "import.meta.url": "__logwardBundleUrl" },
  // "use strict" first: the ES modules were strict, and esbuild's own directive comes after the banner.
  banner: {
    js: [
      STAMP_PLACEHOLDER,
      '"use strict";',
      'var __logwardBundleUrl = require("node:url").pathToFileURL(__filename).href;',
    ].join("\n"),
  },
  // Non-ASCII characters escaped: bin/start.cjs reads the bundle as latin1, which decodes ASCII without a UTF-8 pass.
  charset: "ascii",
  // Less to parse when there is no code cache yet; names are kept, and the source map maps stacks back to dist/
  // for whoever runs with --enable-source-maps.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  logLevel: "warning",
});

const text = fs.readFileSync(BUNDLE, "utf8");
const nonAscii = /[^\x00-\x7f]/.exec(text);
if (nonAscii)
  throw new Error(`${BUNDLE} holds a non-ASCII character at ${nonAscii.index}: bin/start.cjs reads it as latin1`);
const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
fs.writeFileSync(BUNDLE, text.replace(STAMP_PLACEHOLDER, `/*logward-bundle ${hash}*/`));
