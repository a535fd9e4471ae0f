// Readiness for systemd (Type=notify). sd_notify is a datagram on a unix socket, which Node cannot send, so
// systemd's own systemd-notify sends READY=1 for us (NotifyAccess=all lets a child speak). It waits until systemd
// has read the message (a barrier), so the message is not lost when it exits before systemd looks at it.
import type { Logger } from "../core/logger.js";

/** Time for systemd to take the message; after it the start stays pending and systemd's own timeout decides. */
const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * Take NOTIFY_SOCKET out of the environment, as sd_notify(unset_environment) does: the commands logward runs
 * (exec actions, hooks) must not speak to systemd for it. Returns the socket, if systemd gave one.
 */
export function takeNotifySocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const socket = env.NOTIFY_SOCKET;
  delete env.NOTIFY_SOCKET;
  return socket || undefined;
}

/** Tell systemd the daemon is running (sources open, actions ready). A failure is logged, never fatal. */
export async function notifyReady(socket: string | undefined, logger: Logger): Promise<void> {
  if (!socket) return;
  // child_process (and the socket modules it loads) only under systemd: most starts never notify.
  const { execFile } = await import("node:child_process");
  const env = { ...process.env, NOTIFY_SOCKET: socket };
  return new Promise((resolve) => {
    execFile(
      "systemd-notify",
      ["--ready", `--pid=${process.pid}`],
      { env, timeout: NOTIFY_TIMEOUT_MS },
      (err, _stdout, stderr) => {
        if (err) logger.warn({ err: String(stderr || err.message).trim() }, "could not tell systemd the start is done");
        resolve();
      },
    );
  });
}
