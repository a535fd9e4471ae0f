import { afterEach, describe, expect, test } from "vitest";
import { PatternSandbox, type Span } from "./untrusted-pattern.js";

let sandbox: PatternSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const lines = ["GET /api timeout 30s", "ok", "", "POST /x timeout 5s"];

describe("PatternSandbox", () => {
  test("a literal is matched in place; a regex in the worker, with the span of its first match", async () => {
    sandbox = new PatternSandbox();
    const literal = sandbox.compile("timeout");
    expect(literal.now?.(lines)).toEqual([[9, 16], null, null, [8, 15]]);
    const regex = sandbox.compile("/timeout (?<s>\\d+)s/");
    expect(regex.now).toBeUndefined();
    expect(await regex.spans(lines)).toEqual([[9, 20], null, null, [8, 18]] satisfies Span[]);
    expect(await sandbox.compile("/^$/").spans(lines)).toEqual([null, null, [0, 0], null]);
    expect(await sandbox.compile("/TIMEOUT/i").spans(["a timeout"])).toEqual([[2, 9]]);
  });

  test("a regex runs only on lines holding one of its literals, with its spans on every line", async () => {
    // The budget is generous for a loaded machine; on the hostile line the regex would need hours.
    sandbox = new PatternSandbox({ budgetMs: 2_000 });
    // Backtracks exponentially on the hostile line, which lacks "timeout": only the prefilter keeps it in budget.
    const hostile = `${"a".repeat(40)}!`;
    const mixed = [...lines, hostile, "aaa!timeout", "post /X", "POST /api ok"];
    for (const source of ["(a|a)+!timeout", "^POST \\/\\w+", "(?:GET|POST) \\/api|ok$", "timeout (?<s>\\d+)s"]) {
      for (const flags of ["", "i"]) {
        const re = new RegExp(source, flags);
        const expected = mixed.map((line): Span => {
          if (line === hostile) return null; // the regex does not match it (it would take too long to ask)
          const m = re.exec(line);
          return m ? [m.index, m.index + m[0].length] : null;
        });
        expect(await sandbox.compile(`/${source}/${flags}`).spans(mixed), `/${source}/${flags}`).toEqual(expected);
      }
    }
    expect(sandbox.timeouts).toBe(0);
  });

  test("a regex over budget is stopped (the worker is replaced) and the next one runs", async () => {
    sandbox = new PatternSandbox({ budgetMs: 150 });
    const hostile = [`${"a".repeat(40)}!`];
    const started = performance.now();
    await expect(sandbox.compile("/(a|a)+$/").spans(hostile)).rejects.toMatchObject({ code: "PATTERN_TOO_SLOW" });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(sandbox.timeouts).toBe(1);
    expect(await sandbox.compile("/a!/").spans(hostile)).toEqual([[39, 41]]);
  });

  test(
    "too many waiting runs are refused; a bad or oversized pattern " + "is a PATTERN_INVALID; close rejects waiters",
    async () => {
      sandbox = new PatternSandbox({ budgetMs: 2_000, maxQueued: 1 });
      expect(() => sandbox?.compile("/(/")).toThrow(expect.objectContaining({ code: "PATTERN_INVALID" }));
      expect(() => sandbox?.compile("x".repeat(1001))).toThrow(/longer than 1000/);
      const slow = sandbox.compile("/(a|a)+$/");
      const running = slow.spans([`${"a".repeat(40)}!`]);
      const waiting = slow.spans(["a"]);
      await expect(slow.spans(["a"])).rejects.toMatchObject({ code: "PATTERN_BUSY" });
      const outcomes = Promise.allSettled([running, waiting]);
      await sandbox.close();
      const reasons = (await outcomes).map((o) => (o.status === "rejected" ? String(o.reason) : "resolved"));
      expect(reasons).toEqual([expect.stringMatching(/closing/), expect.stringMatching(/closing/)]);
    },
  );
});
