// The email action against a real SMTP server on 127.0.0.1: plain, STARTTLS with a self-signed certificate, AUTH,
// and hostile servers (silent, 4xx, 5xx, dropping mid-DATA).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Action } from "../../core/component.js";
import type { LogEvent } from "../../core/event.js";
import { lineEvent, tempDir, testContext } from "../delivery/testing/helpers.js";
import { emailAction } from "./index.js";
import { buildMessage, encodeHeader } from "./message.js";
import { dotStuff } from "./smtp.js";
import { startSmtpServer, type SmtpServerOptions, type SmtpTestServer } from "./testing/smtp-server.js";

const servers: SmtpTestServer[] = [];
const actions: Action[] = [];
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const haveOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!haveOpenssl && process.env.CI === "true") throw new Error("openssl is required for the STARTTLS tests under CI");

let cert: { key: string; cert: string; file: string } | undefined;
beforeAll(() => {
  if (!haveOpenssl) return;
  const dir = tempDir("logward-smtp-cert-");
  const [key, crt] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "1"],
      ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  cert = { key: readFileSync(key, "utf8"), cert: readFileSync(crt, "utf8"), file: crt };
});

/** The URL with credentials u / "p w" (user:pass@ in the URL), or without. */
const withAuth = (smtp: SmtpTestServer, scheme = "smtp") => `${scheme}://u:p%20w@127.0.0.1:${smtp.port}`;

async function email(
  server: Partial<SmtpServerOptions>,
  options: Record<string, unknown> = {},
  url: (smtp: SmtpTestServer) => string = (smtp) => smtp.url,
) {
  const smtp = await startSmtpServer(server);
  servers.push(smtp);
  const stateDir = tempDir();
  const config = emailAction.schema.parse({
    smtp: url(smtp),
    from: "logward@example.org",
    to: ["ops@example.org", "oncall@example.org"],
    backoff: { initial: "20ms", max: "50ms" },
    ...options,
  });
  const action = emailAction.create(config, testContext("mail", { stateDir }));
  actions.push(action);
  const released: string[] = [];
  const send = (line: string, extra: Partial<LogEvent> = {}) =>
    action.send(lineEvent(line, extra), () => released.push(line));
  return { smtp, action, released, send, stateDir };
}

const deadLetters = (dir: string) => {
  const file = join(dir, "dead-letter", "mail.ndjson");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : [];
};

describe("email action", () => {
  it("sends one readable message per alert: headers, rule, source, count, time, sample lines", async () => {
    const { smtp, action, released, send } = await email({}, { starttls: "never" });
    await send("disk full on /var", { kind: "threshold", count: 3, rule: "disk", fields: { host: "db1" } });
    await send(".hidden dot line\n.\nend");
    await action.flush(15_000);
    expect(released).toEqual(["disk full on /var", ".hidden dot line\n.\nend"]);
    expect(smtp.received).toHaveLength(2);
    const [first, second] = smtp.received;
    expect(first).toMatchObject({ from: "logward@example.org", to: ["ops@example.org", "oncall@example.org"] });
    const [head, body] = first!.data.split("\r\n\r\n", 2) as [string, string];
    expect(head).toContain("Subject: [logward] disk firing on app");
    expect(head).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    expect(head).toMatch(/^Message-ID: <[0-9a-f]{24}\.\d+@example\.org>$/m);
    expect(first!.data.slice(first!.data.indexOf("\r\n\r\n") + 4)).toContain("Rule:   disk");
    expect(body).toBeDefined();
    const text = first!.data;
    for (const want of ["Source: app", "Kind:   threshold (firing)", "Count:  3", "Time:   2026-11-21T04:15:00.000Z"])
      expect(text).toContain(want);
    expect(text).toContain("Field host: db1");
    expect(text).toContain("  disk full on /var");
    // A line made of a dot, or starting with one, arrives as written: dot-stuffing undone by the server.
    expect(second!.data).toContain("\r\n.hidden dot line\r\n.\r\nend");
  });

  it("encodes a non-ASCII subject and body, and fills the subject template", async () => {
    const { smtp, action, send } = await email(
      {},
      { starttls: "never", subject: "Ünïcode {{kind}}/{{count}} ✓ {{rule}}" },
    );
    await send("état critique — ☃", { rule: "règle" });
    await action.flush(15_000);
    const data = smtp.received[0]!.data;
    const subject = /^Subject: (.*(?:\r\n .*)*)$/m.exec(data)![1]!;
    expect(subject).toMatch(/^=\?UTF-8\?B\?/);
    const decoded = subject
      .split("\r\n ")
      .map((w) => Buffer.from(/=\?UTF-8\?B\?(.*)\?=/.exec(w)![1]!, "base64"))
      .reduce((a, b) => Buffer.concat([a, b]));
    expect(decoded.toString()).toBe("Ünïcode match/1 ✓ règle");
    expect(data).toContain("Content-Transfer-Encoding: base64");
    const body = Buffer.from(data.split("\r\n\r\n")[1]!.replace(/\r\n/g, ""), "base64").toString();
    expect(body).toContain("état critique — ☃");
  });

  it.skipIf(!haveOpenssl)("upgrades with STARTTLS (auto) and authenticates with PLAIN, trusting ca_file", async () => {
    const { smtp, action, released, send } = await email(
      { tls: cert!, auth: ["PLAIN", "LOGIN"] },
      { ca_file: cert!.file },
      withAuth,
    );
    await send("secret line");
    await action.flush(15_000);
    expect(released).toEqual(["secret line"]);
    expect(smtp.received.map((m) => [m.tls, m.auth])).toEqual([[true, "PLAIN u"]]);
  });

  it.skipIf(!haveOpenssl)("refuses a certificate it does not trust: retried, then dead-lettered", async () => {
    const { smtp, action, released, send, stateDir } = await email({ tls: cert! }, { max_retries: 1 });
    await send("x");
    await action.flush(15_000);
    expect(released).toEqual(["x"]);
    expect(smtp.received).toEqual([]);
    expect(deadLetters(stateDir)[0]).toMatch(/self.signed|certificate/i);
  });

  it("uses AUTH LOGIN when only it is offered", async () => {
    const { smtp, action, send } = await email({ auth: ["LOGIN"] }, { starttls: "never" }, withAuth);
    await send("x");
    await action.flush(15_000);
    expect(smtp.received.map((m) => [m.tls, m.auth])).toEqual([[false, "LOGIN u"]]);
  });

  it("with starttls: always, refuses a server that does not offer it (nothing sent in clear)", async () => {
    const { smtp, action, released, send, stateDir } = await email(
      { auth: ["PLAIN"] },
      { starttls: "always" },
      withAuth,
    );
    await send("x");
    await action.flush(15_000);
    expect(released).toEqual(["x"]);
    expect(smtp.received).toEqual([]);
    expect(deadLetters(stateDir)[0]).toContain("does not offer STARTTLS");
  });

  it("retries a 4xx answer, then delivers", async () => {
    const { smtp, action, released, send, stateDir } = await email(
      { fail: { at: "RCPT", reply: "451 4.3.0 try later", times: 2 } },
      { starttls: "never" },
    );
    await send("x");
    await action.flush(15_000);
    expect(released).toEqual(["x"]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.connections).toBe(3);
    expect(deadLetters(stateDir)).toEqual([]);
  });

  it("dead-letters a 5xx answer at once", async () => {
    const { smtp, action, released, send, stateDir } = await email(
      { fail: { at: "MAIL", reply: "550 5.7.1 relaying denied" } },
      { starttls: "never" },
    );
    await send("x");
    await action.flush(15_000);
    expect(released).toEqual(["x"]);
    expect(smtp.connections).toBe(1);
    const [letter] = deadLetters(stateDir);
    expect(letter).toContain("550 5.7.1 relaying denied");
  });

  it("retries a server that drops the connection mid-DATA, and delivers the whole message once", async () => {
    const { smtp, action, released, send } = await email(
      { dropInData: { after: 50, times: 2 } },
      { starttls: "never" },
    );
    await send("y".repeat(500));
    await action.flush(15_000);
    expect(released).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.data).toContain("y".repeat(500));
    expect(smtp.connections).toBe(3);
  });

  it("times out on a server that never answers, retries, then dead-letters (the event is released)", async () => {
    const { smtp, action, released, send, stateDir } = await email(
      { silent: true },
      { timeout: "200ms", max_retries: 1 },
    );
    await send("z");
    await action.flush(15_000);
    expect(released).toEqual(["z"]);
    expect(smtp.connections).toBe(2);
    expect(deadLetters(stateDir)[0]).toMatch(/timed out after 200ms/);
  });

  it("cuts off a server whose reply never ends (memory stays bounded), and retries", async () => {
    const { smtp, action, released, send, stateDir } = await email({ flood: true }, { max_retries: 1 });
    await send("x");
    await action.flush(15_000);
    expect(released).toEqual(["x"]);
    expect(smtp.connections).toBe(2);
    expect(deadLetters(stateDir)[0]).toContain("the server's reply is too long");
  });

  it("never shows the password in a dead letter", async () => {
    const { action, send, stateDir } = await email(
      { fail: { at: "MAIL", reply: "554 no" }, auth: ["PLAIN"] },
      { starttls: "never" },
      (smtp) => `smtp://u:p%20w@127.0.0.1:${smtp.port}`,
    );
    await send("x");
    await action.flush(15_000);
    const letters = deadLetters(stateDir).join("\n");
    expect(letters).toContain("554 no");
    expect(letters).not.toMatch(/p%20w|p w/);
  });
});

describe("message building", () => {
  it("dot-stuffs every line that starts with a dot", () => {
    expect(dotStuff(".a\r\nb\r\n..c\r\n.")).toBe("..a\r\nb\r\n...c\r\n..");
  });

  it("keeps encoded-words within 75 characters and never splits a character", () => {
    const words = encodeHeader("é".repeat(100) + "☃".repeat(40)).split("\r\n ");
    expect(words.every((w) => w.length <= 75)).toBe(true);
    const text = words.map((w) => Buffer.from(w.slice(10, -2), "base64").toString()).join("");
    expect(text).toBe("é".repeat(100) + "☃".repeat(40));
  });

  it("turns a long line into base64 (SMTP lines stop at 998 characters) and a digest names how many more", () => {
    const events = [lineEvent("a".repeat(5000)), lineEvent("b")];
    const message = buildMessage(events, { from: "a@b", to: ["c@d"], subject: "{{rule}}", domain: "b", now: 0 });
    expect(message.split("\r\n").every((line) => line.length <= 998)).toBe(true);
    expect(message).toContain("Subject: r (+1 more)");
    expect(message).toContain("Date: Thu, 01 Jan 1970 00:00:00 +0000");
  });

  it("refuses an address that could inject a command, and an unknown placeholder", () => {
    const base = { smtp: "smtp://127.0.0.1:25", from: "a@b.c", to: "d@e.f" };
    expect(emailAction.schema.safeParse(base).success).toBe(true);
    expect(emailAction.schema.safeParse({ ...base, to: "d@e.f>\r\nRCPT TO:<x@y" }).success).toBe(false);
    expect(emailAction.schema.safeParse({ ...base, subject: "{{nope}}" }).success).toBe(false);
    expect(emailAction.schema.safeParse({ ...base, smtp: "http://x" }).success).toBe(false);
  });
});
