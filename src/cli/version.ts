// The package version, read once from package.json (embedded in the standalone binary, beside the code otherwise).
import { readFileSync } from "node:fs";
import { runningAsSea, seaAsset } from "../core/sea.js";

const text = runningAsSea()
  ? seaAsset("package.json").toString("utf8")
  : readFileSync(new URL("../../package.json", import.meta.url), "utf8");
const pkg = JSON.parse(text) as { version: string };
export const VERSION: string = pkg.version;
