// Type=notify: once its sources run, `logward run` tells systemd it is ready (READY=1 and its MAINPID, through
// systemd-notify), and the commands it runs never see NOTIFY_SOCKET. A perl script (perl-base, in every Debian)
// stands in for systemd: it receives the datagrams on a unix socket, which Node cannot do.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";

const haveNotify = spawnSync("systemd-notify", ["--version"]).status === 0;
const havePerl = spawnSync("perl", ["-MSocket", "-e", "1"]).status === 0;
if ((!haveNotify || !havePerl) && process.env.CI === "true") throw new Error("systemd-notify and perl are required");

/** Prints each datagram received on the socket, then a line "--". */
const RECEIVER = `use Socket; my $p = shift; unlink $p;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!"; bind($s, pack_sockaddr_un($p)) or die "bind: $!";
$| = 1; print "listening\\n"; while (1) { my $m; defined(recv($s, $m, 65536, 0)) or die "recv: $!"; print "$m\\n--\\n"; }`;

const tmp = tempDir();
let daemon: Running | undefined;
let receiver: ReturnType<typeof spawn> | undefined;
afterEach(async () => {
  await daemon?.stop();
  receiver?.kill();
});

describe.skipIf(!haveNotify || !havePerl)("systemd readiness", () => {
  it("sends READY=1 with its own pid once running, and hides NOTIFY_SOCKET from exec actions", async () => {
    const socket = path.join(tmp.dir, "notify.sock");
    let received = "";
    receiver = spawn("perl", ["-e", RECEIVER, socket], { stdio: ["ignore", "pipe", "inherit"] });
    receiver.stdout?.on("data", (d: Buffer) => (received += d.toString()));
    await waitFor(() => received.includes("listening"), "the stand-in for systemd to listen");

    const log = path.join(tmp.dir, "app.log");
    const envFile = path.join(tmp.dir, "env.txt");
    fs.writeFileSync(log, "");
    const config = path.join(tmp.dir, "logward.yaml");
    fs.writeFileSync(
      config,
      [
        `state_dir: ${tmp.dir}/state`,
        `sources: { app: { path: ${log} } }`,
        "rules: { go: { source: app, match: GO, actions: [dump] } }",
        `actions: { dump: { type: exec, command: "env > ${envFile}" } }`,
      ].join("\n"),
    );
    daemon = startLogward(["run", "-c", config], { env: { NOTIFY_SOCKET: socket } });
    await daemon.waitForLog("logward running");
    const ready = await waitFor(
      () => received.split("\n--\n").find((m) => m.includes("READY=1")),
      () => `READY=1 on the socket; received so far: ${JSON.stringify(received)}`,
    );
    expect(ready).toContain(`MAINPID=${daemon.child.pid}`);
    // Only after the sources run: a line written now is seen, and its command's environment has no NOTIFY_SOCKET.
    fs.appendFileSync(log, "GO\n");
    const env = await waitFor(() => {
      const text = fs.existsSync(envFile) ? fs.readFileSync(envFile, "utf8") : "";
      return text.includes("LOGWARD_RULE=go") && text;
    }, "the exec action's environment");
    expect(env).not.toContain("NOTIFY_SOCKET");
    expect(daemon.logs().filter((l) => /systemd/.test(String(l.msg)))).toEqual([]);
  });

  it("without NOTIFY_SOCKET, sends nothing and says nothing about systemd", async () => {
    const config = path.join(tmp.dir, "quiet.yaml");
    fs.writeFileSync(config, `state_dir: ${tmp.dir}/state2\n`);
    daemon = startLogward(["run", "-c", config], { env: { NOTIFY_SOCKET: "" } });
    await daemon.waitForLog("logward running");
    expect(await daemon.stop()).toBe(0);
    expect(daemon.logs().filter((l) => /systemd/.test(String(l.msg)))).toEqual([]);
  });
});
