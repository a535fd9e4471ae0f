// The standalone binary (Node's single-executable applications) carries its files inside: read them from there.
import { getAsset, isSea } from "node:sea";

/** Whether this process is the standalone binary built by `npm run package`. */
export function runningAsSea(): boolean {
  return isSea();
}

/** An embedded file (scripts/package.mjs names them) as bytes. */
export function seaAsset(key: string): Buffer {
  return Buffer.from(getAsset(key));
}
