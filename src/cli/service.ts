// `logward service print|install [-c FILE]`: a hardened systemd unit running `logward run -c <config>`.
// The config loader is imported by the actions, not when the commands are declared.
import { makeDirs } from "../core/mkdirs.js";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { Config } from "../config/types.js";
import { UserError } from "../core/errors.js";
import { archiveDirFor } from "../rotate/plan.js";
import { expandHome, globBase } from "../rotate/paths.js";
import { writeFileDurable } from "../rotate/fsutil.js";
import { runningAsSea } from "../core/sea.js";

export const UNIT_NAME = "logward.service";
const DEFAULT_UNIT_DIR = "/etc/systemd/system";
/** What `#!/usr/bin/env node` searches under systemd (its default PATH for system services). */
const SYSTEMD_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
const HOME_ROOTS = ["/home", "/root", "/run/user"];
const TMP_ROOTS = ["/tmp", "/var/tmp"];

export function registerService(program: Command): void {
  const service = program.command("service").description("a systemd unit for `logward run`");
  service
    .command("print")
    .description("print the unit")
    .option("-c, --config <file>", "config file")
    .action(async (opts: { config?: string }, command: Command) => {
      const { loadCommandConfig } = await import("./common-config.js");
      const config = await loadCommandConfig(command, opts.config);
      process.stdout.write(renderUnit(config, logwardCommand()));
    });
  service
    .command("install")
    .description(`write ${DEFAULT_UNIT_DIR}/${UNIT_NAME} and print the systemctl commands to start it`)
    .option("-c, --config <file>", "config file")
    .option("--unit-dir <dir>", "folder to write the unit to", DEFAULT_UNIT_DIR)
    .action(async (opts: { config?: string; unitDir: string }, command: Command) => {
      const { loadCommandConfig } = await import("./common-config.js");
      const config = await loadCommandConfig(command, opts.config);
      process.stdout.write(await installUnit(config, opts.unitDir));
    });
}

/** Folders the daemon writes: state, its own log and pid file, rotated folders and archives, file actions. */
export function writablePaths(config: Config): string[] {
  const paths = [config.state_dir];
  if (config.log.file) paths.push(path.dirname(config.log.file));
  if (config.pid_file) paths.push(path.dirname(config.pid_file));
  for (const job of Object.values(config.rotate)) {
    const base = globBase(job.path);
    paths.push(base);
    // For a glob, a relative archive_dir is per folder; the base's is the best single answer.
    paths.push(archiveDirFor(job, path.join(base, path.basename(expandHome(job.path))), expandHome));
  }
  for (const action of Object.values(config.actions)) {
    if (action.type === "file" && typeof action.path === "string") paths.push(path.dirname(expandHome(action.path)));
  }
  const unique = [...new Set(paths.map((p) => path.resolve(p)))].sort();
  // A folder inside another listed one adds nothing.
  return unique.filter((p) => !unique.some((other) => other !== p && isInside(p, other)));
}

/** Folders file sources read (their glob bases). */
function sourcePaths(config: Config): string[] {
  const paths: string[] = [];
  for (const source of Object.values(config.sources)) {
    const value = source.path;
    for (const p of Array.isArray(value) ? value : [value]) if (typeof p === "string") paths.push(globBase(p));
  }
  return paths;
}

const under = (p: string, roots: string[]): boolean => roots.some((root) => p === root || isInside(p, root));

function isInside(child: string, parent: string): boolean {
  return parent === "/" || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}

/**
 * The command line that starts logward: its installed bin, behind node's absolute path if systemd would not find node.
 */
export function logwardCommand(argv1 = process.argv[1], execPath = process.execPath): string[] {
  if (runningAsSea()) return [execPath]; // the standalone binary needs no node
  const invoked = argv1 ? path.resolve(argv1) : undefined;
  const bin =
    invoked && /(^|\/)logward$/.test(invoked) ? invoked : fileURLToPath(new URL("../../bin/logward", import.meta.url));
  return SYSTEMD_PATH.includes(path.dirname(execPath)) ? [bin] : [execPath, bin];
}

/** One word of a unit file: specifiers (%) and variables ($) escaped, quoted when it has spaces. */
export function unitWord(word: string): string {
  const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/[\\"]/g, "\\$&")}"` : escaped;
}

/** The system account a unit runs as: the Debian package's `logward`, in group adm to read what is in /var/log. */
export interface UnitAccount {
  user: string;
  group: string;
  supplementaryGroups: string[];
}

/** Folders systemd creates and owns for the service (writable under ProtectSystem=strict without ReadWritePaths). */
const MANAGED_DIRS = [
  { root: "/var/lib", setting: "StateDirectory" },
  { root: "/var/log", setting: "LogsDirectory" },
] as const;

/** `/var/lib/logward` → StateDirectory=logward; the folder and what is below it need no ReadWritePaths. */
function managedDirectories(writable: string[]): { settings: string[]; rest: string[] } {
  const settings: string[] = [];
  let rest = writable;
  for (const { root, setting } of MANAGED_DIRS) {
    const dir = `${root}/logward`;
    if (!writable.some((p) => p === dir || isInside(p, dir))) continue;
    settings.push(`${setting}=logward`);
    rest = rest.filter((p) => p !== dir && !isInside(p, dir));
  }
  return { settings, rest };
}

export function renderUnit(config: Config, command: string[], account?: UnitAccount): string {
  const configPath = path.resolve(config.path ?? "logward.yaml");
  const writable = writablePaths(config);
  const managed = managedDirectories(writable);
  const inHome = writable.filter((p) => under(p, HOME_ROOTS));
  // A private /tmp would hide the config and the files it names there, read or written.
  const inTmp = [...new Set([configPath, ...writable, ...sourcePaths(config)])].filter((p) => under(p, TMP_ROOTS));
  const lines = [
    "[Unit]",
    "Description=logward: watch logs, act on what matters, keep log folders in shape",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "# Ready once the sources run: logward has systemd-notify send READY=1 (Node cannot send the datagram itself),",
    "# so a child must be allowed to speak; logward hides NOTIFY_SOCKET from the commands it runs.",
    "Type=notify",
    "NotifyAccess=all",
    `ExecStart=${[...command, "run", "-c", configPath].map(unitWord).join(" ")}`,
    "ExecReload=/bin/kill -HUP $MAINPID",
    "Restart=on-failure",
    "RestartSec=2s",
    ...(account
      ? [
          `User=${account.user}`,
          `Group=${account.group}`,
          ...(account.supplementaryGroups.length
            ? [`SupplementaryGroups=${account.supplementaryGroups.join(" ")}`]
            : []),
        ]
      : []),
    ...managed.settings,
    "# One descriptor per tailed file and per connection: far more than the default soft limit of 1024.",
    "LimitNOFILE=65536",
    "# Hardening: the whole file system is read-only except the folders logward writes to.",
    "ProtectSystem=strict",
    // "-": a folder that does not exist yet does not stop the service from starting.
    ...managed.rest.map((p) => `ReadWritePaths=${unitWord(`${fs.existsSync(p) ? "" : "-"}${p}`)}`),
    "NoNewPrivileges=yes",
    ...(inTmp.length
      ? [`# PrivateTmp left off: the config uses files under /tmp (${inTmp.join(", ")}).`]
      : ["PrivateTmp=yes"]),
    ...(inHome.length
      ? [`# ProtectHome left off: logward writes under a home folder (${inHome.join(", ")}).`]
      : ["ProtectHome=read-only"]),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  return lines.join("\n");
}

/** Write the unit, create the writable folders it names, and say how to start it. */
export async function installUnit(config: Config, unitDir: string): Promise<string> {
  const unitPath = path.join(path.resolve(unitDir), UNIT_NAME);
  const created: string[] = [];
  try {
    await makeDirs(path.dirname(unitPath));
    for (const dir of writablePaths(config)) {
      if (!fs.existsSync(dir)) {
        await makeDirs(dir);
        created.push(dir);
      }
    }
    await writeFileDurable(unitPath, renderUnit(config, logwardCommand()));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new UserError("USAGE", `cannot write ${unitPath}: ${code} (run as root, or pass --unit-dir DIR)`, {
        cause: err,
      });
    }
    throw err;
  }
  return [
    `wrote ${unitPath}`,
    ...created.map((dir) => `created ${dir}`),
    "now run:",
    "  systemctl daemon-reload",
    `  systemctl enable --now ${UNIT_NAME}`,
    "",
  ].join("\n");
}
