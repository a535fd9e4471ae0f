// npm's prepare step: build the CLI bundle when the dev tools are installed (a clone's `npm install`), and skip the
// build, saying so, where they are not (`npm ci --omit=dev`), instead of failing the whole install.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const missing = ["typescript/bin/tsc", "esbuild"].filter((tool) => {
  try {
    require.resolve(tool);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  console.warn(`logward: not building (dev tools missing: ${missing.join(", ")}); run npm install, then npm run build`);
} else {
  const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  process.exitCode = build.status ?? 1;
}
