// docker and cri: parsing one line, joining the parts a runtime split (bounded), pod names from the path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReadLine } from "../core/component.js";
import { silentLogger } from "../core/logger.js";
import type { LogRecord } from "../core/record.js";
import { podFields } from "./container-path.js";
import { criLine, criParser } from "./cri.js";
import { dockerLine, dockerParser } from "./docker.js";

const POD_FILE = "/var/log/pods/shop_web-7d9f_0f1e2d3c-aaaa-bbbb/nginx/0.log";

function record(line: string, file = POD_FILE): LogRecord {
  return { source: "pods", file, line, time: 0, fields: {} };
}

/** Lines at successive offsets, as the file source reads them. */
function lines(texts: string[]): ReadLine[] {
  let offset = 0;
  return texts.map((text) => {
    const line = { offset, text, bytes: Buffer.byteLength(text), cut: 0 };
    offset += line.bytes + 1;
    return line;
  });
}

describe("cri parser", () => {
  it("makes the log text the line, with stream, time and the pod's names", () => {
    const r = record("2026-11-21T04:15:00.123456789Z stderr F connection refused: db:5432");
    expect(criParser.create({}, { logger: silentLogger }).parse(r)).toBe(true);
    expect(r.line).toBe("connection refused: db:5432");
    expect(r.time).toBe(Date.UTC(2026, 10, 21, 4, 15, 0, 123));
    expect(r.fields).toEqual({
      namespace: "shop",
      pod: "web-7d9f",
      pod_uid: "0f1e2d3c-aaaa-bbbb",
      container: "nginx",
      stream: "stderr",
      log: "connection refused: db:5432",
    });
  });

  it("joins P parts and the F part into one line with the first part's time, and keeps the offset to resume at", () => {
    const joiner = criParser.joiner(1024);
    const input = lines([
      '2026-11-21T04:15:00Z stdout P {"a":',
      '2026-11-21T04:15:01Z stdout P 1,"b"',
      "2026-11-21T04:15:02Z stdout F :2}",
      "2026-11-21T04:15:03Z stdout F whole",
      "2026-11-21T04:15:04Z stdout P open",
    ]);
    const out = joiner.push(input);
    expect(out.map((l) => l.text)).toEqual([
      '2026-11-21T04:15:00Z stdout F {"a":1,"b":2}',
      "2026-11-21T04:15:03Z stdout F whole",
    ]);
    expect(out[0]!.offset).toBe(0);
    expect(out[0]!.bytes).toBe(input[2]!.offset + input[2]!.bytes);
    expect(joiner.pendingOffset).toBe(input[4]!.offset);
    expect(joiner.flush()?.text).toBe("2026-11-21T04:15:04Z stdout P open");
    expect(joiner.pendingOffset).toBeUndefined();
  });

  it("never holds more than max_line_bytes: a longer line comes out in parts, all of its text kept (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, "")),
            fc.boolean(),
          ),
          {
            maxLength: 40,
          },
        ),
        fc.integer({ min: 64, max: 200 }),
        (parts, max) => {
          const joiner = criParser.joiner(max);
          const texts = parts.map(([log, partial]) =>
            criLine({ time: "2026-11-21T04:15:00Z", stream: "stdout", log, partial }),
          );
          const out = [...joiner.push(lines(texts))];
          const last = joiner.flush();
          if (last) out.push(last);
          const logs = out.map((l) => l.text.slice(l.text.indexOf(" ", 28) + 1));
          expect(logs.join("")).toBe(parts.map(([log]) => log).join(""));
          // A joined line holds at most max bytes of log text (a single part passes as it was written).
          for (const [i, l] of out.entries())
            if (!texts.includes(l.text)) expect(Buffer.byteLength(logs[i]!)).toBeLessThanOrEqual(max);
          // Offsets only grow: the file source commits by them.
          for (let i = 1; i < out.length; i++) expect(out[i]!.offset).toBeGreaterThan(out[i - 1]!.offset);
        },
      ),
      { seed: 4, numRuns: 500 },
    );
  });

  it("closes an open line when the other stream writes, and passes lines of another format as they are", () => {
    const joiner = criParser.joiner(1024);
    const out = joiner.push(
      lines([
        "2026-11-21T04:15:00Z stdout P half",
        "2026-11-21T04:15:01Z stderr F err",
        "not cri",
        "2026-11-21T04:15:02Z stdout F x",
      ]),
    );
    expect(out.map((l) => l.text)).toEqual([
      "2026-11-21T04:15:00Z stdout P half",
      "2026-11-21T04:15:01Z stderr F err",
      "not cri",
      "2026-11-21T04:15:02Z stdout F x",
    ]);
    const r = record(out[0]!.text);
    expect(criParser.create({}, { logger: silentLogger }).parse(r)).toBe(true);
    expect(r.fields.partial).toBe(true);
  });
});

describe("docker parser", () => {
  it("reads json-file records and joins one split without its newline", () => {
    const joiner = dockerParser.joiner(1024);
    const parts = [
      { log: "GET /very", stream: "stdout", time: "2026-11-21T04:15:00.5Z" },
      { log: "/long/path 200\n", stream: "stdout", time: "2026-11-21T04:15:01Z" },
      { log: "next\n", stream: "stderr", time: "2026-11-21T04:15:02Z" },
    ].map((p) => JSON.stringify(p));
    const out = joiner.push(lines(parts));
    expect(out).toHaveLength(2);
    const parser = dockerParser.create({}, { logger: silentLogger });
    const r = record(out[0]!.text, "/var/log/containers/web-7d9f_shop_nginx-" + "ab".repeat(32) + ".log");
    expect(parser.parse(r)).toBe(true);
    expect(r.line).toBe("GET /very/long/path 200");
    expect(r.time).toBe(Date.UTC(2026, 10, 21, 4, 15, 0, 500));
    expect(r.fields).toMatchObject({ pod: "web-7d9f", namespace: "shop", container: "nginx", stream: "stdout" });
    expect(r.fields.container_id).toBe("ab".repeat(32));
    expect(dockerLine({ log: "x", stream: "stdout", time: "t", partial: false })).toBe(
      '{"log":"x\\n","stream":"stdout","time":"t"}',
    );
  });

  it("takes no pod names from other paths or rotated pod files' look-alikes", () => {
    expect(podFields("/var/log/app.log")).toEqual({});
    expect(podFields("/var/log/pods/ns_pod_uid/c/0.log.20261207-010203")).toMatchObject({
      namespace: "ns",
      container: "c",
    });
    expect(podFields("/var/log/pods/bad/c/0.log")).toEqual({});
  });
});
