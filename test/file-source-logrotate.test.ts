// The file source against the real logrotate: copytruncate, create (rename), compress with a glob over rotated names.
import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { append, Harness, haveLogrotate, logrotate, numbered, waitFor } from "./file-source.helpers.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

const fast = { rescan: "200ms", rotate_wait: "200ms" };

function withPrefix(prefix: string): string[] {
  return h.lines().filter((l) => l.startsWith(prefix + " "));
}

describe.skipIf(!haveLogrotate)("file source with logrotate (skipped when logrotate is missing)", () => {
  it("copytruncate: lines written just before the rotation are read from the copy; none twice", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    await (await h.start({ path: file, ...fast })).caughtUp();
    append(file, numbered("a", 0, 50));
    await h.waitLines(50);
    append(file, numbered("a", 50, 100));
    logrotate(h, file, "  copytruncate\n  rotate 3\n  missingok");
    append(file, numbered("b", 0, 20));
    await h.waitLines(120);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 100));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 20));
    expect(fs.existsSync(h.path("app.log.1"))).toBe(true);
  });

  it("create (rename) with compress+delaycompress and a glob over rotated names: every line once, archives not read", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    await (await h.start({ path: h.path("app.log*"), ...fast })).caughtUp();
    const rules = "  create\n  rotate 5\n  compress\n  delaycompress\n  missingok";
    for (let round = 0; round < 3; round++) {
      append(file, numbered(`r${round}`, 0, 30));
      logrotate(h, file, rules); // right after the writes: the source finds them unread in the renamed file
      // Rotations are far apart in real life; a file rotated twice before any tailer looked at it is out of reach.
      await h.waitLines(30 * (round + 1));
    }
    append(file, numbered("last", 0, 5));
    await h.waitLines(95);
    for (let round = 0; round < 3; round++) expect(withPrefix(`r${round}`)).toEqual(numbered(`r${round}`, 0, 30));
    expect(withPrefix("last")).toEqual(numbered("last", 0, 5));
    expect(fs.existsSync(h.path("app.log.2.gz"))).toBe(true);
    await waitFor(async () => (await h.metric("file_open_files")) <= 2, "rotated files released");
    h.source?.reopen?.();
    append(file, ["last 5"]);
    await h.waitLines(96);
    expect(h.lines().length).toBe(96);
  });
});
