// The systemd unit: writable folders derived from the config, home and tmp exceptions, quoting, node path.
import { describe, expect, it } from "vitest";
import type { Config } from "../config/types.js";
import { rotateJobSchema } from "../rotate/schema.js";
import { logwardCommand, renderUnit, unitWord, writablePaths } from "./service.js";

function config(over: Partial<Config> = {}): Config {
  return {
    path: "/etc/logward/logward.yaml",
    state_dir: "/var/lib/logward",
    log: { level: "info", file: "/var/log/logward/logward.log" },
    sources: { app: { type: "file", path: ["/var/log/myapp/*.log"] } },
    rules: {},
    stats: {},
    actions: { journal: { type: "file", path: "/srv/events/events.ndjson" } },
    rotate: {
      app: rotateJobSchema.parse({
        path: "/var/log/myapp/app.log",
        archive_dir: "/data/archive/myapp",
        max_size: "10MB",
      }),
      nested: rotateJobSchema.parse({ path: "/var/log/myapp/sub/*.log", archive_dir: "old" }),
    },
    ...over,
  };
}

describe("service unit", () => {
  it("lets the daemon write only its state, its log, rotated folders, archives and file actions", () => {
    expect(writablePaths(config())).toEqual([
      "/data/archive/myapp",
      "/srv/events",
      "/var/lib/logward",
      "/var/log/logward",
      "/var/log/myapp",
    ]);
  });

  it("is hardened, with ProtectHome and PrivateTmp when nothing lives under /home or /tmp", () => {
    const unit = renderUnit(config(), ["/usr/bin/logward"]);
    expect(unit).toContain("ExecStart=/usr/bin/logward run -c /etc/logward/logward.yaml\n");
    expect(unit).toContain("ExecReload=/bin/kill -HUP $MAINPID\n");
    expect(unit).toMatch(
      /ProtectSystem=strict\n(ReadWritePaths=-?\/\S+\n){3}NoNewPrivileges=yes\nPrivateTmp=yes\nProtectHome=read-only\n/,
    );
    expect(unit).toContain("LimitNOFILE=65536\n");
    expect(unit).toContain("Type=notify\nNotifyAccess=all\n");
  });

  it("leaves /var/lib/logward and /var/log/logward to StateDirectory= and LogsDirectory=", () => {
    const unit = renderUnit(config(), ["/usr/bin/logward"]);
    expect(unit).toContain("StateDirectory=logward\nLogsDirectory=logward\n");
    expect(unit).not.toMatch(/ReadWritePaths=-?\/var\/(lib|log)\/logward/);
    expect(unit).toContain("ReadWritePaths=-/var/log/myapp\n");
    // A folder beside them, whose name only starts the same, is not theirs.
    const beside = renderUnit(config({ state_dir: "/var/lib/logward-old", log: { level: "info" } }), ["/x"]);
    expect(beside).not.toContain("StateDirectory=");
    expect(beside).not.toContain("LogsDirectory=");
    expect(beside).toContain("ReadWritePaths=-/var/lib/logward-old\n");
  });

  it("runs as the given system account, with its supplementary groups, and as root without one", () => {
    const account = { user: "logward", group: "logward", supplementaryGroups: ["adm"] };
    const unit = renderUnit(config(), ["/usr/bin/logward"], account);
    expect(unit).toContain("User=logward\nGroup=logward\nSupplementaryGroups=adm\n");
    expect(renderUnit(config(), ["/usr/bin/logward"])).not.toMatch(/^(User|Group|SupplementaryGroups)=/m);
  });

  it("leaves ProtectHome off when it writes under /home, PrivateTmp off when it reads under /tmp", () => {
    const home = config({
      rotate: { h: rotateJobSchema.parse({ path: "/home/ann/logs/app.log" }) },
      sources: { t: { type: "file", path: ["/tmp/x/*.log"] } },
    });
    const unit = renderUnit(home, ["/usr/bin/logward"]);
    expect(unit).not.toContain("ProtectHome=");
    expect(unit).toContain("# ProtectHome left off: logward writes under a home folder (/home/ann/logs)");
    expect(unit).not.toContain("PrivateTmp=yes");
    expect(unit).toContain("# PrivateTmp left off: the config uses files under /tmp (/tmp/x)");
  });

  it("escapes % and $ and quotes words with spaces", () => {
    expect(unitWord("/opt/my logs/100%")).toBe('"/opt/my logs/100%%"');
    expect(unitWord("/a/$HOME")).toBe("/a/$$HOME");
    expect(unitWord("/plain/path")).toBe("/plain/path");
  });

  it("runs the bin through node's absolute path when systemd's PATH would not find node", () => {
    expect(logwardCommand("/usr/lib/node_modules/logward/bin/logward", "/usr/bin/node")).toEqual([
      "/usr/lib/node_modules/logward/bin/logward",
    ]);
    expect(logwardCommand("/usr/local/bin/logward", "/home/ann/.nvm/versions/node/v20/bin/node")).toEqual([
      "/home/ann/.nvm/versions/node/v20/bin/node",
      "/usr/local/bin/logward",
    ]);
    expect(logwardCommand("/somewhere/dist/cli/main.js", "/usr/bin/node")[0]).toMatch(/\/bin\/logward$/);
  });
});
