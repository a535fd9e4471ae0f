import { describe, expect, test } from "vitest";
import { summarizeReport } from "./summary.js";

describe("summarizeReport", () => {
  test("reads rate, hits, end time and sections in the usual spellings", () => {
    expect(
      summarizeReport({
        rate: 2.5,
        hits: 25,
        end: "2026-11-21T04:15:10Z",
        sections: [{ section: "/api", hits: 20 }, ["/x", 5]],
      }),
    ).toEqual({
      rate: 2.5,
      hits: 25,
      time: Date.UTC(2026, 10, 21, 4, 15, 10),
      sections: [
        { name: "/api", hits: 20 },
        { name: "/x", hits: 5 },
      ],
    });
    expect(summarizeReport({ req_per_s: 1, topSections: { "/b": 1, "/a": 3 } })).toEqual({
      rate: 1,
      sections: [
        { name: "/a", hits: 3 },
        { name: "/b", hits: 1 },
      ],
    });
  });

  test("reads the stats module's StatsReport", () => {
    const report = {
      from: 1_795_234_490_000,
      to: 1_795_234_500_000,
      hits: 50,
      rate: 5,
      bytes: 1,
      status: {},
      errors: 0,
      errorRate: 0,
      sections: [{ name: "/api", hits: 40 }],
      hosts: [],
      invalid: 0,
      late: 0,
      window: { seconds: 120, hits: 50, rate: 0.4 },
      threshold: 10,
      firing: false,
      approximate: false,
    };
    expect(summarizeReport(report)).toEqual({
      rate: 5,
      hits: 50,
      time: 1_795_234_500_000,
      sections: [{ name: "/api", hits: 40 }],
      threshold: 10,
      firing: false,
    });
  });

  test("derives the rate from hits over the interval, and reads epoch seconds", () => {
    expect(summarizeReport({ hits: 50, from: 1_700_000_000, to: 1_700_000_010 })).toMatchObject({
      rate: 5,
      time: 1_700_000_010_000,
    });
  });

  test("anything else gives an empty summary rather than an error", () => {
    for (const odd of [null, 3, "x", [], { sections: "nope", rate: "fast" }])
      expect(summarizeReport(odd)).toEqual({ sections: [] });
  });
});
