// Every registered parser kind against the one parser contract.
import { expect, it } from "vitest";
import { findParserKind, parserKinds } from "../src/parsers/index.js";
import type { ParserKind } from "../src/core/component.js";
import { runParserContract } from "./contracts/parser.js";

const kind = (type: string): ParserKind => findParserKind(type)!;

it("covers every registered parser kind", () => {
  expect(parserKinds.map((k) => k.type).sort()).toEqual([
    "auto",
    "combined",
    "common",
    "cri",
    "custom",
    "docker",
    "json",
    "logfmt",
    "w3c-csv",
  ]);
});

const GARBAGE = ["", "   ", "\u0000\u0001\u0002", "{", "[1,2,3]", '"unterminated', "\uFFFD\uFFFD\uFFFD", "{{{{}}}}"];
const clf = (path: string) => `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET ${path} HTTP/1.0" 200 2326`;
const combined = (agent: string) => `${clf("/a")} "http://www.example.com/start.html" "${agent}"`;
const csv = (request: string) => `"10.0.0.1","-","apache",1549573860,"${request}",200,1234`;
const json = (msg: string) => JSON.stringify({ time: "2026-11-21T04:15:00Z", level: "error", msg });
const logfmt = (msg: string) => `time=2026-11-21T04:15:00Z level=error msg=${JSON.stringify(msg)}`;

runParserContract({
  kind: kind("common"),
  good: [{ line: clf("/apache_pb.gif"), field: "status", value: 200 }],
  withText: (text) => ({ line: clf(`/${text}`), field: "request" }),
  garbage: [...GARBAGE, "127.0.0.1 - - [bad date] garbage"],
});
runParserContract({
  kind: kind("combined"),
  good: [{ line: combined("Mozilla/4.08"), field: "status", value: 200 }],
  withText: (text) => ({ line: combined(text), field: "agent" }),
  garbage: GARBAGE,
});
runParserContract({
  kind: kind("w3c-csv"),
  good: [{ line: csv("GET /api/user HTTP/1.0"), field: "status", value: 200 }],
  withText: (text) => ({ line: csv(`GET /${text} HTTP/1.0`), field: "request" }),
  garbage: GARBAGE,
});
runParserContract({
  kind: kind("json"),
  good: [{ line: json("disk full"), field: "level", value: "error" }],
  withText: (text) => ({ line: json(text), field: "msg" }),
  garbage: GARBAGE,
});
runParserContract({
  kind: kind("logfmt"),
  good: [{ line: logfmt("disk full"), field: "level", value: "error" }],
  withText: (text) => ({ line: logfmt(text), field: "msg" }),
  garbage: GARBAGE,
});
runParserContract({
  kind: kind("auto"),
  good: [
    { line: clf("/apache_pb.gif"), field: "status", value: 200 },
    { line: json("disk full"), field: "level", value: "error" },
  ],
  withText: (text) => ({ line: json(text), field: "msg" }),
  garbage: GARBAGE,
});
runParserContract({
  // Without access_format: nginx's default format, combined.
  kind: kind("custom"),
  good: [{ line: combined("Mozilla/4.08"), field: "status", value: 200 }],
  withText: (text) => ({ line: combined(text), field: "agent" }),
  garbage: GARBAGE,
});
const docker = (log: string) => JSON.stringify({ log: `${log}\n`, stream: "stdout", time: "2026-11-21T04:15:00Z" });
runParserContract({
  kind: kind("docker"),
  good: [{ line: docker("disk full"), field: "stream", value: "stdout" }],
  withText: (text) => ({ line: docker(text), field: "log" }),
  garbage: [...GARBAGE, '{"log":"x"}', '{"log":"x\n","stream":"stdout","time":"yesterday"}'],
});
runParserContract({
  kind: kind("cri"),
  good: [{ line: "2026-11-21T04:15:00.5Z stderr F disk full", field: "stream", value: "stderr" }],
  withText: (text) => ({ line: `2026-11-21T04:15:00Z stdout F ${text}`, field: "log" }),
  garbage: [...GARBAGE, "2026-11-21T04:15:00Z stdout X text", "yesterday stdout F text"],
});
