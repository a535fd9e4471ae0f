// The Debian package: the standalone binary as /usr/bin/logward (and logs2eca), the unit `logward service print`
// renders for the packaged config, that config as a conffile, a man page, and the maintainer scripts in packaging/.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { renderUnit } from "../dist/cli/service.js";
import { loadConfig } from "../dist/config/index.js";

const CONFIG = "/etc/logward/logward.yaml";
/** The account postinst creates: a system user in group adm, which reads /var/log on Debian. */
const ACCOUNT = { user: "logward", group: "logward", supplementaryGroups: ["adm"] };

/** Build dist/pkg/logward_VERSION_amd64.deb from the binary; returns its path. */
export async function buildDeb({ binary, version, outDir, workDir }) {
  const root = path.join(workDir, "deb");
  const put = (file, content, mode = 0o644) => {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content, { mode });
    fs.chmodSync(target, mode); // the umask does not decide what the package installs
  };
  fs.mkdirSync(path.join(root, "usr", "bin"), { recursive: true });
  fs.copyFileSync(binary, path.join(root, "usr", "bin", "logward"));
  fs.chmodSync(path.join(root, "usr", "bin", "logward"), 0o755);
  fs.symlinkSync("logward", path.join(root, "usr", "bin", "logs2eca"));
  put("lib/systemd/system/logward.service", await packagedUnit());
  put(CONFIG.slice(1), fs.readFileSync("packaging/logward.yaml"));
  put("usr/share/doc/logward/copyright", copyright());
  put("usr/share/man/man1/logward.1.gz", zlib.gzipSync(manPage(version), { level: 9 }));
  fs.symlinkSync("logward.1.gz", path.join(root, "usr/share/man/man1/logs2eca.1.gz"));
  for (const script of ["postinst", "prerm", "postrm"])
    put(`DEBIAN/${script}`, fs.readFileSync(`packaging/${script}`), 0o755);
  put("DEBIAN/conffiles", `${CONFIG}\n`);
  put("DEBIAN/control", control(version, installedKib(root)));
  for (const dir of walkDirs(root)) fs.chmodSync(dir, 0o755);

  const deb = path.join(outDir, `logward_${version}_amd64.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z6", "--build", root, deb], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return deb;
}

/** One generator for every unit: the one `service print` writes, for the packaged config and account. */
async function packagedUnit() {
  const config = await loadConfig("packaging/logward.yaml", { env: {} });
  config.path = CONFIG;
  return renderUnit(config, ["/usr/bin/logward"], ACCOUNT);
}

function control(version, kib) {
  return [
    "Package: logward",
    `Version: ${version}`,
    "Architecture: amd64",
    "Maintainer: logward developers <logward@users.noreply.github.com>",
    `Installed-Size: ${kib}`,
    // The binary is Node 24's: glibc 2.28 and the C++ runtime; adduser for the system user.
    "Depends: adduser, libc6 (>= 2.28), libstdc++6, libgcc-s1",
    "Section: admin",
    "Priority: optional",
    "Description: tail logs without losing a line, recognise what matters, and act",
    " logward follows log files through every kind of rotation with checkpoints that",
    " survive restarts, matches lines against patterns, thresholds and traffic rates,",
    " and runs commands, notifies Discord/Slack/webhooks, streams to a browser,",
    " rotates log folders, and scales out over syslog and NATS JetStream.",
    " .",
    " A standalone binary: Node.js is not needed.",
    "",
  ].join("\n");
}

function copyright() {
  return [
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
    "Upstream-Name: logward",
    "",
    "Files: *",
    "License: MIT",
    ...fs
      .readFileSync("LICENSE", "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => (line.trim() ? ` ${line}` : " .")),
    "",
  ].join("\n");
}

/** A man page from the CLI's own help (one source of truth); the README has the rest. */
function manPage(version) {
  const help = execFileSync(process.execPath, ["bin/logward", "--help"], { encoding: "utf8" });
  const roff = (text) => text.replace(/\\/g, "\\e").replace(/^([.'])/gm, "\\&$1");
  return [
    `.TH LOGWARD 1 "" "logward ${version}" "User Commands"`,
    ".SH NAME",
    "logward, logs2eca \\- tail logs without losing a line, recognise what matters, and act",
    ".SH SYNOPSIS",
    ".B logward",
    "[options] [command]",
    ".SH DESCRIPTION",
    ".nf",
    roff(help.trimEnd()),
    ".fi",
    ".PP",
    "Each command has its own help: \\fBlogward\\fR \\fIcommand\\fR \\fB--help\\fR.",
    "\\fBlogs2eca\\fR is the same program under the old tool's name and flags.",
    ".SH FILES",
    `.TP\n.I ${CONFIG}\nthe service's configuration (then \\fBsystemctl reload logward\\fR)`,
    ".TP\n.I /var/lib/logward\ncheckpoints and other state",
    ".SH SEE ALSO",
    "\\fBsystemctl\\fR(1), \\fBjournalctl\\fR(1); the README at https://www.npmjs.com/package/logward",
    "",
  ].join("\n");
}

function installedKib(root) {
  let bytes = 0;
  for (const dir of walkDirs(root)) {
    if (path.relative(root, dir).startsWith("DEBIAN")) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
      if (entry.isFile()) bytes += fs.statSync(path.join(dir, entry.name)).size;
  }
  return Math.ceil(bytes / 1024);
}

function walkDirs(dir) {
  const dirs = [dir];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) dirs.push(...walkDirs(path.join(dir, entry.name)));
  return dirs;
}
