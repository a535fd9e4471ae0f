// Archive names: the documented form, local time, collision suffixes, and nothing else parsed as one.
import { describe, expect, it } from "vitest";
import {
  archiveName,
  formatStamp,
  looksLikeArchive,
  parseArchiveName,
  parseArchiveTemp,
  parseStamp,
  splitName,
} from "./naming.js";

const at = new Date(2026, 10, 21, 4, 15, 0).getTime(); // local 2026-11-21 04:15:00

describe("archive names", () => {
  it("names app.log's archive app-20261121-041500.log(.gz) in local time", () => {
    expect(archiveName("app.log", at)).toBe("app-20261121-041500.log");
    expect(archiveName("app.log", at, 0, true)).toBe("app-20261121-041500.log.gz");
    expect(archiveName("app.log", at, 2, true)).toBe("app-20261121-041500-2.log.gz");
    expect(archiveName("syslog", at)).toBe("syslog-20261121-041500");
    expect(archiveName(".hidden", at)).toBe(".hidden-20261121-041500");
  });

  it("splits stem and extension at the last dot", () => {
    expect(splitName("app.log")).toEqual({ stem: "app", ext: ".log" });
    expect(splitName("access.2026.log")).toEqual({ stem: "access.2026", ext: ".log" });
    expect(splitName("app")).toEqual({ stem: "app", ext: "" });
  });

  it("parses its own names back, compressed or not, with the rotation time", () => {
    const plain = parseArchiveName("app.log", "app-20261121-041500.log");
    expect(plain).toMatchObject({ base: "app-20261121-041500.log", stampMs: at, seq: 0, gz: false });
    const gz = parseArchiveName("app.log", "app-20261121-041500-3.log.gz");
    expect(gz).toMatchObject({ base: "app-20261121-041500-3.log", stampMs: at, seq: 3, gz: true });
  });

  it("rejects everything that is not exactly an archive of that file", () => {
    const others = [
      "app.log",
      "app-20261121-041500.txt",
      "app-20261121-041500.log.bak",
      "app-20261121-0415.log",
      "xapp-20261121-041500.log",
      "app-20261399-041500.log",
      "app-20261121-250000.log",
      "app-20261121-041500-0.log",
      "app.log.1",
      "app.log-20261121",
      "other-20261121-041500.log",
      "app-20261121-041500.log.gz.logward-tmp",
    ];
    for (const name of others) expect(parseArchiveName("app.log", name), name).toBeUndefined();
    expect(parseArchiveName("app-x.log", "app-20261121-041500.log")).toBeUndefined();
  });

  it("recognises its own temp files", () => {
    expect(parseArchiveTemp("app.log", "app-20261121-041500.log.gz.logward-tmp")).toBeDefined();
    expect(parseArchiveTemp("app.log", "app-20261121-041500.log.logward-tmp")).toBeDefined();
    expect(parseArchiveTemp("app.log", "app.log.logward-tmp")).toBeUndefined();
  });

  it("round-trips stamps and refuses impossible dates", () => {
    expect(parseStamp(formatStamp(at))).toBe(at);
    expect(parseStamp("20260230-000000")).toBeUndefined();
  });

  it("spots archive-looking names of any stem, so globs skip them", () => {
    expect(looksLikeArchive("app-20261121-041500.log")).toBe(true);
    expect(looksLikeArchive("db-20261121-041500-2.log.gz")).toBe(true);
    expect(looksLikeArchive("app.log")).toBe(false);
    expect(looksLikeArchive("app-2026.log")).toBe(false);
  });
});
