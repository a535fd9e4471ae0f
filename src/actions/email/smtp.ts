// A small SMTP client over node:net and node:tls: EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL/RCPT/DATA. One message per
// connection (alerts are rare; a pooled connection would need keep-alive handling for no gain).
import net from "node:net";
import tls from "node:tls";
import { hostname } from "node:os";

/** Longest reply accepted (all its lines): a server that talks without end is cut off. */
const MAX_REPLY_BYTES = 64 * 1024;

export interface SmtpTarget {
  /** smtp://[user:pass@]host[:port] (STARTTLS as configured) or smtps://... (TLS from the first byte). */
  url: string;
  starttls: "auto" | "always" | "never";
  /** PEM certificates to trust besides the system's (a private CA, a self-signed server). */
  ca?: string;
}

export interface SmtpReply {
  code: number;
  text: string;
}

/** A reply that ends the transaction: the SMTP code (4xx: try later; 5xx: refused), the command and the text. */
export class SmtpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Deliver one message (CRLF lines, not yet dot-stuffed) to the recipients; resolves with the final reply. */
export async function sendMail(
  target: SmtpTarget,
  envelope: { from: string; to: readonly string[] },
  message: string,
  signal: AbortSignal,
): Promise<SmtpReply> {
  const url = new URL(target.url);
  const secure = url.protocol === "smtps:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (secure ? 465 : 587));
  const socket = secure ? tls.connect({ host, port, servername: sni(host), ...caOf(target) }) : net.connect(port, host);
  const session = new Session(socket, signal);
  try {
    await session.reply(secure ? "secureConnect" : "connect");
    let features = await session.ehlo();
    if (!secure && target.starttls !== "never" && features.has("STARTTLS")) {
      await session.command("STARTTLS", 220);
      await session.upgrade({ host, servername: sni(host), ...caOf(target) });
      features = await session.ehlo();
    } else if (!secure && target.starttls === "always") {
      throw new SmtpError(530, "the server does not offer STARTTLS (starttls: always)");
    }
    if (url.username) await session.auth(features, decodeURIComponent(url.username), decodeURIComponent(url.password));
    await session.command(`MAIL FROM:<${envelope.from}>`, 250);
    for (const to of envelope.to) await session.command(`RCPT TO:<${to}>`, 250);
    await session.command("DATA", 354);
    const done = await session.command(`${dotStuff(message)}\r\n.`, 250, "end of DATA");
    await session.command("QUIT", 221).catch(() => undefined); // delivered already; a rude goodbye changes nothing
    return done;
  } finally {
    session.close();
  }
}

/** A line that starts with a dot gets another one, so no line of the message can end the DATA. */
export function dotStuff(message: string): string {
  return message.replace(/(^|\r\n)\./g, "$1..");
}

function sni(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

function caOf(target: SmtpTarget): { ca?: string } {
  return target.ca ? { ca: target.ca } : {};
}

/** One connection: replies are read as they come; every wait ends when the signal aborts or the peer goes. */
class Session {
  private buffer = "";
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private socket: net.Socket,
    private readonly signal: AbortSignal,
  ) {
    this.listen(socket);
    signal.addEventListener("abort", this.onAbort, { once: true });
  }

  private readonly onAbort = (): void => this.fail(new Error("aborted"));

  private listen(socket: net.Socket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      if (this.buffer.length > MAX_REPLY_BYTES) {
        this.buffer = "";
        this.fail(new Error("the server's reply is too long"));
        this.socket.destroy();
      }
      this.waiter?.();
    });
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new Error("the server closed the connection")));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.waiter?.();
  }

  /** The next complete reply (a multi-line one joined); a 4xx/5xx one throws SmtpError. */
  async reply(during: string): Promise<SmtpReply> {
    for (;;) {
      const found = this.take();
      if (found) {
        if (found.code >= 400) throw new SmtpError(found.code, `${during}: ${found.code} ${found.text}`);
        return found;
      }
      if (this.failure) throw new Error(`${during}: ${this.failure.message}`, { cause: this.failure });
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  private take(): SmtpReply | undefined {
    const lines: string[] = [];
    let at = 0;
    for (;;) {
      const end = this.buffer.indexOf("\n", at);
      if (end < 0) return undefined;
      const line = this.buffer.slice(at, end).replace(/\r$/, "");
      at = end + 1;
      lines.push(line.slice(4));
      if (line[3] === "-") continue;
      this.buffer = this.buffer.slice(at);
      const code = Number(line.slice(0, 3));
      if (!/^\d{3}$/.test(line.slice(0, 3))) throw new SmtpError(500, `unreadable reply: ${line.slice(0, 200)}`);
      return { code, text: lines.join("\n") };
    }
  }

  /** Send a command, expect this code (another 2xx/3xx than expected is a protocol error, refused). */
  async command(line: string, expect: number, label = line.split(/[\s:]/, 1)[0] ?? ""): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.reply(label);
    if (reply.code !== expect) throw new SmtpError(554, `${label}: unexpected ${reply.code} ${reply.text}`);
    return reply;
  }

  /** EHLO, and the extensions the server announces: upper-case keyword → its parameters. */
  async ehlo(): Promise<Map<string, string>> {
    const reply = await this.command(`EHLO ${heloName()}`, 250);
    const features = new Map<string, string>();
    for (const line of reply.text.split("\n").slice(1)) {
      const [keyword = "", ...rest] = line.trim().split(/\s+/);
      features.set(keyword.toUpperCase(), rest.join(" ").toUpperCase());
    }
    return features;
  }

  /** AUTH PLAIN when offered (or when nothing is said), else AUTH LOGIN. */
  async auth(features: Map<string, string>, user: string, pass: string): Promise<void> {
    const mechanisms = (features.get("AUTH") ?? "").split(" ");
    if (mechanisms.includes("PLAIN") || !mechanisms.includes("LOGIN")) {
      await this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString("base64")}`, 235, "AUTH PLAIN");
      return;
    }
    await this.command("AUTH LOGIN", 334);
    await this.command(Buffer.from(user).toString("base64"), 334, "AUTH LOGIN user");
    await this.command(Buffer.from(pass).toString("base64"), 235, "AUTH LOGIN password");
  }

  /** Switch the connection to TLS after STARTTLS (anything the server sent before is discarded, per RFC 3207). */
  async upgrade(options: tls.ConnectionOptions): Promise<void> {
    this.buffer = "";
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    const secure = tls.connect({ ...options, socket: plain });
    this.socket = secure;
    this.listen(secure);
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
      this.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  }

  close(): void {
    this.signal.removeEventListener("abort", this.onAbort);
    this.socket.destroy();
  }
}

function heloName(): string {
  const name = hostname();
  return /^[A-Za-z0-9.-]+$/.test(name) ? name : "localhost";
}
