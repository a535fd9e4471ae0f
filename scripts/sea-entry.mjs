// The standalone binary's entry (bundled by scripts/package.mjs): one binary, two programs, told apart by the name it
// was started as — `logs2eca` (a link or copy named so) runs the drop-in for the old tool, any other name logward.
import path from "node:path";
import { main } from "../dist/cli/main.js";

const invokedAs = path.basename(process.argv0 || process.execPath);
void main(process.argv.slice(2), invokedAs.startsWith("logs2eca") ? "logs2eca" : "logward");
