// group_by fields nothing can set: named groups, sources and parsers that set them, and those that may set any.
import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/load.js";
import { podFields, POD_PATH_FIELDS } from "../parsers/container-path.js";
import { unsettableGroupFields } from "./group-fields.js";

type Raw = Record<string, unknown>;

function hints(sources: Raw, rule: Raw): string[] {
  const config = validateConfig({
    state_dir: "/tmp/logward-group-fields",
    sources,
    rules: { jail: { source: Object.keys(sources), actions: ["out"], ...rule } },
    actions: { out: { type: "file", path: "/tmp/logward-group-fields/out.ndjson" } },
  });
  return unsettableGroupFields(config);
}

const plain = { app: { path: "/var/log/app.log" } };

describe("unsettableGroupFields", () => {
  it("names a field that no named group, source or parser sets, with the sources it read", () => {
    expect(hints(plain, { match: "/Failed password from (\\S+)/", group_by: "ip" })).toEqual([
      'rule jail groups by "ip", which neither a named group of its match nor source app (file, no parser) sets: ' +
        "its lines have no key, so it never fires",
    ]);
  });

  it("takes a named group of any of the rule's patterns, in JavaScript or Python syntax, and no look-alike", () => {
    expect(hints(plain, { match: "/from (?<ip>\\S+)/", group_by: "ip" })).toEqual([]);
    expect(hints(plain, { match: ["disk full", "/from (?<ip>\\S+)/i"], group_by: "ip" })).toEqual([]);
    expect(hints(plain, { match: "%from (?P<ip>\\S+)%", group_by: "ip" })).toEqual([]);
    // Not groups: an escaped parenthesis, a class, a lookbehind.
    for (const match of ["/\\(?<ip>x/", "/[(?<ip>]x/", "/(?<=ip)x/", "(?<ip>literal)"])
      expect(hints(plain, { match, group_by: "ip" }), match).toHaveLength(1);
  });

  it("takes the fields of a parser that knows them, and no others", () => {
    const access = { web: { path: "/var/log/nginx/access.log", parser: "combined" } };
    expect(hints(access, { match: '" 404 ', group_by: ["host", "agent"] })).toEqual([]);
    expect(hints(access, { match: '" 404 ', group_by: ["host", "ip"] })).toEqual([
      'rule jail groups by "ip", which neither a named group of its match nor source web (file, parser combined) ' +
        "sets: its lines have no key, so it never fires",
    ]);
    expect(hints({ web: { ...access.web, parser: "common" } }, { group_by: "agent" })).toHaveLength(1);
  });

  it("says nothing for a source or parser that may set any field", () => {
    expect(hints({ app: { path: "/var/log/app.json", parser: "json" } }, { group_by: "user" })).toEqual([]);
    expect(hints({ ssh: { type: "journald", units: "ssh" } }, { group_by: "user" })).toEqual([]);
    // One source of two may set it: its lines are keyed, so the rule can fire.
    const two = { ...plain, json: { path: "/var/log/b.json", parser: "logfmt" } };
    expect(hints(two, { group_by: "user" })).toEqual([]);
  });

  it("takes a syslog source's fields and its structured-data family", () => {
    const syslog = { net: { type: "syslog", listen: "udp://127.0.0.1:5514" } };
    expect(hints(syslog, { group_by: ["host", "app", "sd.origin.ip"] })).toEqual([]);
    expect(hints(syslog, { group_by: "ip" })).toHaveLength(1);
  });

  it("knows every field a container log's path gives", () => {
    const paths = ["/var/log/pods/ns_pod-1_0a1b2c/app/0.log", `/var/log/containers/pod-1_ns_app-${"a".repeat(64)}.log`];
    const given = new Set(paths.flatMap((p) => Object.keys(podFields(p))));
    expect([...given].sort()).toEqual([...POD_PATH_FIELDS].sort());
    const pods = { k8s: { path: "/var/log/pods/*/*/*.log", parser: "cri" } };
    expect(hints(pods, { group_by: ["namespace", "pod", "container", "stream"] })).toEqual([]);
  });
});
