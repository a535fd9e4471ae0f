// `logward stats --html FILE`: the collected report written as one HTML file when the input ends.
import { rename, writeFile } from "node:fs/promises";
import { UserError } from "../core/errors.js";
import type { ReportCollector } from "./html-collect.js";
import { renderHtmlReport } from "./html.js";

/** Written beside the target and renamed over it: a reader (or a crash) never sees half a report. */
export async function writeHtmlReport(file: string, collector: ReportCollector, title: string): Promise<void> {
  const html = renderHtmlReport(collector.result(), { title, generated: Date.now() });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, html, { mode: 0o644 });
    await rename(temp, file);
  } catch (err) {
    throw new UserError("USAGE", `--html: cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
