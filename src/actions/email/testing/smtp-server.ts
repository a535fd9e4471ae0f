// A real SMTP server on 127.0.0.1 for tests (node:net, STARTTLS with a given certificate), and hostile variants:
// one that never answers, one that answers 4xx or 5xx at a chosen step, one that drops the connection mid-DATA.
import net from "node:net";
import tls from "node:tls";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent, dot-stuffing undone, CRLF line ends. */
  data: string;
  auth: string | undefined;
  tls: boolean;
}

export interface SmtpServerOptions {
  /** Offer STARTTLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** AUTH mechanisms offered; credentials accepted are user "u", password "p w". */
  auth?: ("PLAIN" | "LOGIN")[];
  /** Say nothing, ever. */
  silent?: boolean;
  /** Greet with a multi-line reply that never ends. */
  flood?: boolean;
  /** Answer this command (MAIL, RCPT, DATA, or "." for the end of the data) with this reply, the first n times. */
  fail?: { at: string; reply: string; times?: number };
  /** Close the connection after this many bytes of message data, the first n times. */
  dropInData?: { after: number; times?: number };
}

export interface SmtpTestServer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const sockets = new Set<net.Socket>();
  const state = { received: [] as ReceivedMail[], connections: 0, failures: 0, drops: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (options.flood) flood(socket);
    else if (!options.silent) new Conversation(socket, options, state, (s) => sockets.add(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received: state.received,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** 220- continuation lines, 64 KiB at a time, as long as the peer reads them. */
function flood(socket: net.Socket): void {
  const chunk = `220-${"x".repeat(1020)}\r\n`.repeat(64);
  const write = (): void => {
    while (!socket.destroyed && socket.write(chunk));
    if (!socket.destroyed) socket.once("drain", write);
  };
  write();
}

type State = { received: ReceivedMail[]; failures: number; drops: number };

class Conversation {
  private buffer = "";
  private inData = false;
  private data = "";
  private mail: { from: string; to: string[] } = { from: "", to: [] };
  private auth: string | undefined;
  private secure = false;
  private loginStep: "user" | "pass" | undefined;

  constructor(
    private socket: net.Socket,
    private readonly options: SmtpServerOptions,
    private readonly state: State,
    private readonly track: (socket: net.Socket) => void,
  ) {
    this.listen(socket);
    this.say("220 test ESMTP ready");
  }

  private listen(socket: net.Socket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
  }

  private say(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf("\r\n");
      if (end < 0) return;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (this.inData ? this.dataLine(line) : this.command(line)) return;
    }
  }

  /** One line of DATA; true when the conversation stops reading (a drop). */
  private dataLine(line: string): boolean {
    const drop = this.options.dropInData;
    if (drop && this.state.drops < (drop.times ?? Infinity) && this.data.length + line.length > drop.after) {
      this.state.drops++;
      this.socket.destroy();
      return true;
    }
    if (line !== ".") {
      this.data += `${line.startsWith(".") ? line.slice(1) : line}\r\n`;
      return false;
    }
    this.inData = false;
    if (this.failing(".")) return false;
    this.state.received.push({ ...this.mail, data: this.data.replace(/\r\n$/, ""), auth: this.auth, tls: this.secure });
    this.say("250 2.0.0 queued");
    return false;
  }

  private failing(at: string): boolean {
    const fail = this.options.fail;
    if (!fail || fail.at !== at || this.state.failures >= (fail.times ?? Infinity)) return false;
    this.state.failures++;
    this.say(fail.reply);
    return true;
  }

  private command(line: string): boolean {
    if (this.loginStep) return this.login(line);
    const verb = line.split(/[\s:]/, 1)[0]?.toUpperCase() ?? "";
    if (["MAIL", "RCPT", "DATA"].includes(verb) && this.failing(verb)) return false;
    switch (verb) {
      case "EHLO":
        return this.ehlo();
      case "STARTTLS":
        return this.startTls();
      case "AUTH":
        return this.authenticate(line);
      case "MAIL":
        this.mail = { from: /<(.*)>/.exec(line)?.[1] ?? "", to: [] };
        this.say("250 2.1.0 ok");
        return false;
      case "RCPT":
        this.mail.to.push(/<(.*)>/.exec(line)?.[1] ?? "");
        this.say("250 2.1.5 ok");
        return false;
      case "DATA":
        this.inData = true;
        this.data = "";
        this.say("354 go ahead");
        return false;
      case "QUIT":
        this.say("221 bye");
        this.socket.end();
        return true;
      default:
        this.say("502 5.5.2 unknown command");
        return false;
    }
  }

  private ehlo(): boolean {
    const lines = ["250-test greets you", "250-8BITMIME"];
    if (this.options.tls && !this.secure) lines.push("250-STARTTLS");
    if (this.options.auth) lines.push(`250-AUTH ${this.options.auth.join(" ")}`);
    lines.push("250 SIZE 10000000");
    this.socket.write(`${lines.join("\r\n")}\r\n`);
    return false;
  }

  private startTls(): boolean {
    const creds = this.options.tls;
    if (!creds) {
      this.say("502 no");
      return false;
    }
    this.say("220 2.0.0 ready for TLS");
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = new tls.TLSSocket(plain, { isServer: true, key: creds.key, cert: creds.cert });
    secure.on("error", () => {});
    this.track(secure);
    this.socket = secure;
    this.secure = true;
    this.buffer = "";
    this.listen(secure);
    return true;
  }

  private authenticate(line: string): boolean {
    const [, mechanism, initial] = line.split(" ");
    if (mechanism === "PLAIN" && initial) {
      const [, user, pass] = Buffer.from(initial, "base64").toString().split("\0");
      return this.check(user, pass);
    }
    if (mechanism === "LOGIN") {
      this.loginStep = "user";
      this.say("334 VXNlcm5hbWU6");
      return false;
    }
    this.say("504 5.5.4 unrecognized mechanism");
    return false;
  }

  private loginUser = "";

  private login(line: string): boolean {
    const text = Buffer.from(line, "base64").toString();
    if (this.loginStep === "user") {
      this.loginUser = text;
      this.loginStep = "pass";
      this.say("334 UGFzc3dvcmQ6");
      return false;
    }
    this.loginStep = undefined;
    return this.check(this.loginUser, text, "LOGIN");
  }

  private check(user: string | undefined, pass: string | undefined, mechanism = "PLAIN"): boolean {
    if (user === "u" && pass === "p w") {
      this.auth = `${mechanism} ${user}`;
      this.say("235 2.7.0 authenticated");
    } else {
      this.say("535 5.7.8 bad credentials");
    }
    return false;
  }
}
