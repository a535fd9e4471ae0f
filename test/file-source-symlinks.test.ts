// follow_symlinks: a link planted in a watched folder must not make the source read a file outside it.
import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { append, Harness, numbered } from "./file-source.helpers.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
  fs.mkdirSync(h.path("logs"));
  fs.mkdirSync(h.path("outside"));
  append(h.path("outside/secret.log"), ["secret 0"]);
  append(h.path("outside/sub.log"), ["secret in a linked directory"]);
});
afterEach(async () => {
  await h.cleanup();
});

const fast = { rescan: "200ms", rotate_wait: "200ms", start_at: "beginning" };

/** Settle the source (a sweep and a rescan, and the reading they cause), twice so a rescan's finds are read too. */
async function settle(): Promise<void> {
  const source = h.source as { settle(): Promise<void> };
  await source.settle();
  await source.settle();
}

describe("file source: symbolic links", () => {
  it("a glob or a directory walk does not follow links (at startup, or made later), nor do rotated siblings", async () => {
    fs.symlinkSync(h.path("outside/secret.log"), h.path("logs/planted.log"));
    fs.symlinkSync(h.path("outside"), h.path("logs/linked"));
    append(h.path("logs/app.log"), numbered("app", 0, 3));
    await h.start({ path: [h.path("logs/*.log"), h.path("logs")], recursive: true, ...fast });
    await h.waitLines(3);
    fs.symlinkSync(h.path("outside/secret.log"), h.path("logs/later.log")); // a watch event names it
    append(h.path("logs/app.log"), ["app 3"]);
    await h.waitLines(4);
    await settle();
    expect(h.lines()).toEqual(numbered("app", 0, 4));
    await h.stop();
    fs.symlinkSync(h.path("outside/secret.log"), h.path("logs/app.log.1")); // looks like a rotated sibling
    append(h.path("outside/secret.log"), ["secret 1"]); // modified after the last save
    await h.restart({ path: h.path("logs/*.log"), ...fast });
    append(h.path("logs/app.log"), ["app 4"]);
    await h.waitLines(1);
    await settle();
    expect(h.lines()).toEqual(["app 4"]);
  });

  it("a configured path that is itself a link is followed; follow_symlinks: true follows the others", async () => {
    fs.symlinkSync(h.path("outside/secret.log"), h.path("logs/current.log"));
    await h.start({ path: h.path("logs/current.log"), ...fast });
    await h.waitLines(1);
    expect(h.lines()).toEqual(["secret 0"]);
    await h.stop();
    fs.rmSync(h.stateDir, { recursive: true });
    await h.restart({ path: h.path("logs/*.log"), follow_symlinks: true, ...fast });
    await h.waitLines(1);
    await settle();
    expect(h.lines()).toEqual(["secret 0"]);
  });
});
