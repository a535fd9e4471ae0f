// The Debian package's layout, built by scripts/package-deb.mjs around a stand-in binary (the real build, with the
// Node 24 binary, runs in .ci/package-check, which also installs and purges it): owners, modes, conffiles, the unit
// rendered for the system account, maintainer scripts that parse. Needs `npm run build` (it loads dist/).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const haveDpkgDeb = spawnSync("dpkg-deb", ["--version"]).status === 0;
if (!haveDpkgDeb && process.env.CI === "true") throw new Error("dpkg-deb is required in CI");
const haveAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

const version = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { version: string }).version;
let dir: string;
let deb: string;
let root: string;

/** `dpkg-deb -c`: "-rwxr-xr-x root/root 123 2026-01-01 00:00 ./usr/bin/logward" → path → "mode owner [-> target]". */
function contents(): Map<string, string> {
  const listing = execFileSync("dpkg-deb", ["-c", deb], { encoding: "utf8" });
  const entries = new Map<string, string>();
  for (const line of listing.trim().split("\n")) {
    const [mode, owner, , , , name, arrow, target] = line.split(/\s+/);
    entries.set((name as string).replace(/^\.\//, "/"), `${mode} ${owner}${arrow ? ` -> ${target}` : ""}`);
  }
  return entries;
}

describe.skipIf(!haveDpkgDeb)("the Debian package", () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-deb-"));
    const binary = path.join(dir, "logward-stand-in");
    fs.writeFileSync(binary, "#!/bin/sh\necho stand-in\n", { mode: 0o700 });
    fs.mkdirSync(path.join(dir, "work"));
    const script = `const { buildDeb } = await import(${JSON.stringify(path.resolve("scripts/package-deb.mjs"))});
      process.stdout.write(await buildDeb(${JSON.stringify({ binary, version, outDir: dir, workDir: path.join(dir, "work") })}));`;
    // A umask that would make everything private: the package must still install world-readable files.
    deb = execFileSync("sh", ["-c", `umask 077 && exec "$0" --input-type=module -e "$1"`, process.execPath, script], {
      encoding: "utf8",
    });
    root = path.join(dir, "root");
    execFileSync("dpkg-deb", ["-R", deb, root]);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is named and described for amd64, depends on adduser and the C++ runtime", () => {
    expect(path.basename(deb)).toBe(`logward_${version}_amd64.deb`);
    const field = (name: string) => execFileSync("dpkg-deb", ["-f", deb, name], { encoding: "utf8" }).trim();
    expect(field("Package")).toBe("logward");
    expect(field("Version")).toBe(version);
    expect(field("Architecture")).toBe("amd64");
    expect(field("Depends")).toMatch(/^adduser, libc6 \(>= 2\.28\), libstdc\+\+6/);
    expect(Number(field("Installed-Size"))).toBeGreaterThan(0);
  });

  it("installs root-owned files with the modes a package needs, whatever the builder's umask", () => {
    const entries = contents();
    expect(entries.get("/usr/bin/logward")).toBe("-rwxr-xr-x root/root");
    expect(entries.get("/usr/bin/logs2eca")).toBe("lrwxrwxrwx root/root -> logward");
    expect(entries.get("/lib/systemd/system/logward.service")).toBe("-rw-r--r-- root/root");
    expect(entries.get("/etc/logward/logward.yaml")).toBe("-rw-r--r-- root/root");
    expect(entries.get("/usr/share/doc/logward/copyright")).toBe("-rw-r--r-- root/root");
    expect(entries.get("/usr/share/man/man1/logward.1.gz")).toBe("-rw-r--r-- root/root");
    for (const [name, entry] of entries) {
      expect(entry, name).toMatch(/ root\/root/);
      if (entry.startsWith("d")) expect(entry, name).toMatch(/^drwxr-xr-x/);
    }
  });

  it("makes the config a conffile and ships maintainer scripts that are executable and parse", () => {
    expect(fs.readFileSync(path.join(root, "DEBIAN/conffiles"), "utf8")).toBe("/etc/logward/logward.yaml\n");
    for (const script of ["postinst", "prerm", "postrm"]) {
      const file = path.join(root, "DEBIAN", script);
      expect(fs.statSync(file).mode & 0o777, script).toBe(0o755);
      expect(spawnSync("sh", ["-n", file]).status, script).toBe(0);
    }
    const postrm = fs.readFileSync(path.join(root, "DEBIAN/postrm"), "utf8");
    expect(postrm).toMatch(/deluser --quiet --system logward/);
    expect(postrm).toMatch(/rm -rf \/var\/lib\/logward/);
  });

  it("runs the service as the logward system user (group adm) with systemd-managed state and logs", () => {
    const unit = fs.readFileSync(path.join(root, "lib/systemd/system/logward.service"), "utf8");
    expect(unit).toContain("ExecStart=/usr/bin/logward run -c /etc/logward/logward.yaml\n");
    expect(unit).toContain("User=logward\nGroup=logward\nSupplementaryGroups=adm\n");
    expect(unit).toContain("StateDirectory=logward\n");
    expect(unit).toContain("LimitNOFILE=65536\n");
    expect(unit).toContain("Type=notify\nNotifyAccess=all\n");
    expect(unit).toContain("ExecReload=/bin/kill -HUP $MAINPID\n");
    expect(unit).toContain("ProtectSystem=strict\n");
    expect(unit).toContain("NoNewPrivileges=yes\n");
    // The state folder is systemd's to create and own, not a path to open up.
    expect(unit).not.toContain("ReadWritePaths=");
  });

  it.skipIf(!haveAnalyze)("has a unit systemd-analyze verify accepts (no error about the unit itself)", () => {
    const unit = path.join(root, "lib/systemd/system/logward.service");
    const result = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
    // The stand-in is not installed at /usr/bin/logward here: only that complaint is allowed.
    const problems = result.stderr.split("\n").filter((line) => line.trim() && !/\/usr\/bin\/logward/.test(line));
    expect(problems).toEqual([]);
  });

  it("has a man page made from the CLI's help, for both names", () => {
    const page = zlib.gunzipSync(fs.readFileSync(path.join(root, "usr/share/man/man1/logward.1.gz"))).toString();
    expect(page).toMatch(/^\.TH LOGWARD 1 /);
    expect(page).toContain("completion <shell>");
    expect(fs.readlinkSync(path.join(root, "usr/share/man/man1/logs2eca.1.gz"))).toBe("logward.1.gz");
  });
});
