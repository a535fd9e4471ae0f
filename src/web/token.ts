// Which token guards the web view: the configured one, one from a file or LOGWARD_WEB_TOKEN, or one made at start.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { UserError } from "../core/errors.js";
import { isLoopback, parseListen } from "./listen.js";
import type { WebConfig } from "./schema.js";

export type TokenOrigin = "config" | "file" | "env" | "generated" | "none";

export interface ResolvedToken {
  /** undefined only for `auth: none` (loopback). */
  token: string | undefined;
  origin: TokenOrigin;
}

type TokenConfig = Pick<WebConfig, "listen"> & Partial<Pick<WebConfig, "token" | "token_file" | "auth">>;

/**
 * Like Jupyter: without a token given, a loopback server makes a random one (printed in the URL at start), so
 * other local users and web pages cannot read the logs. `auth: none` opts out, on loopback only.
 */
export function resolveToken(config: TokenConfig, env: NodeJS.ProcessEnv = process.env): ResolvedToken {
  const loopback = isLoopback(parseListen(config.listen).host);
  if (config.auth === "none") {
    if (!loopback) throw new UserError("USAGE", `web auth "none" is for loopback only, not ${config.listen}`);
    return { token: undefined, origin: "none" };
  }
  if (config.token) return { token: config.token, origin: "config" };
  if (config.token_file) return { token: readTokenFile(config.token_file), origin: "file" };
  if (env.LOGWARD_WEB_TOKEN) return { token: env.LOGWARD_WEB_TOKEN, origin: "env" };
  if (!loopback)
    throw new UserError("USAGE", `listening on ${config.listen} (not loopback) needs a token (--token or web.token)`);
  return { token: randomBytes(24).toString("base64url"), origin: "generated" };
}

function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError("USAGE", `cannot read web token_file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const token = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (!token) throw new UserError("USAGE", `web token_file ${file} is empty`);
  return token;
}
