// The listen address ("host:port") of the web server, and which hosts count as loopback.
import { UserError } from "../core/errors.js";

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parse "host:port", "[::1]:port", ":port" or "port" (host defaults to 127.0.0.1); port 0 picks a free one. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new UserError("USAGE", `invalid listen address "${text}" (use HOST:PORT, e.g. 127.0.0.1:8080)`);
  }
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "127.0.0.1" : host, port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The URL a browser on this machine uses for an address (0.0.0.0 / :: are reached via loopback). */
export function urlFor(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const shown = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `http://${shown}:${port}/`;
}

/** Refuse a non-loopback listen address without a token (the config schema checks this too). */
export function checkListenSafety(listen: string, token: string | undefined): ListenAddress {
  const address = parseListen(listen);
  if (!isLoopback(address.host) && !token) {
    throw new UserError("USAGE", `listening on ${listen} (not loopback) needs a token (--token or web.token)`);
  }
  return address;
}
