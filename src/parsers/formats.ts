// Every access-log format by name, for consumers that pick one at run time (stats jobs, the stats command).
import type { LineFormat } from "./access.js";
import { createAutoFormat } from "./auto.js";
import { createCustomFormat } from "./access-format-scan.js";
import { createClfFormat } from "./clf.js";
import type { FieldNameOptions } from "./fieldmap.js";
import { createJsonFormat } from "./json.js";
import { createLogfmtFormat } from "./logfmt.js";
import { createW3cCsvFormat } from "./w3c-csv.js";

export const ACCESS_FORMATS = ["auto", "w3c-csv", "common", "combined", "json", "logfmt", "custom"] as const;
export type AccessFormatName = (typeof ACCESS_FORMATS)[number];

/** What a format may be given: json/logfmt field names, the custom format's access_format. */
export type AccessFormatOptions = FieldNameOptions & { access_format?: string };

/** A fresh instance of the named format: formats keep per-stream state (time caches, auto's choice). */
export function createAccessFormat(name: AccessFormatName, options: AccessFormatOptions = {}): LineFormat {
  switch (name) {
    case "auto":
      return createAutoFormat(options);
    case "w3c-csv":
      return createW3cCsvFormat();
    case "common":
      return createClfFormat(false);
    case "combined":
      return createClfFormat(true);
    case "json":
      return createJsonFormat(options);
    case "logfmt":
      return createLogfmtFormat(options);
    case "custom":
      return createCustomFormat(options.access_format);
  }
}
