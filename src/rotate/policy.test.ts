// Rotation policy: triggers, names on collision, compression order and retention, on a fixed clock.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { archiveName, parseArchiveName, type ArchiveName } from "./naming.js";
import {
  archivesToCompress,
  decideRotation,
  expiredArchives,
  groupArchives,
  leftoverPlainCopies,
  pickArchiveName,
  untilAgeDue,
} from "./policy.js";

const DAY = 86_400_000;
const base = { notifempty: true, max_size: undefined, max_age: undefined, min_size: undefined };

describe("decideRotation", () => {
  const now = new FakeClock().now();
  it("rotates on size and on age, and says why", () => {
    const job = { ...base, max_size: 1000, max_age: DAY };
    expect(decideRotation(job, { size: 1000, contentSince: now }, now, false)).toMatchObject({
      rotate: true,
      reason: expect.stringContaining("max_size"),
    });
    expect(decideRotation(job, { size: 10, contentSince: now - DAY }, now, false)).toMatchObject({
      rotate: true,
      reason: expect.stringContaining("max_age"),
    });
    const not = decideRotation(job, { size: 999, contentSince: now - DAY + 1 }, now, false);
    expect(not.rotate).toBe(false);
    expect(not.reason).toContain("< max_size");
  });

  it("never rotates an empty file under notifempty, even forced", () => {
    expect(decideRotation({ ...base, max_size: 0 }, { size: 0, contentSince: 0 }, now, true).rotate).toBe(false);
    expect(
      decideRotation({ ...base, notifempty: false, max_age: 1 }, { size: 0, contentSince: 0 }, now, false).rotate,
    ).toBe(true);
  });

  it("holds back files under min_size unless forced", () => {
    const job = { ...base, max_age: 1, min_size: 100 };
    expect(decideRotation(job, { size: 50, contentSince: 0 }, now, false)).toMatchObject({
      rotate: false,
      reason: expect.stringContaining("min_size"),
    });
    expect(decideRotation(job, { size: 50, contentSince: 0 }, now, true).rotate).toBe(true);
  });

  it("without triggers rotates only when forced", () => {
    expect(decideRotation(base, { size: 5, contentSince: 0 }, now, false).rotate).toBe(false);
    expect(decideRotation(base, { size: 5, contentSince: 0 }, now, true).rotate).toBe(true);
  });

  it("tells when max_age falls due", () => {
    expect(untilAgeDue({ ...base, max_age: 1000 }, { size: 1, contentSince: now - 400 }, now)).toBe(600);
    expect(untilAgeDue(base, { size: 1, contentSince: now }, now)).toBeUndefined();
  });
});

describe("pickArchiveName", () => {
  it("adds -1, -2 within the same second, whether the taken one is plain, .gz or being written", () => {
    const now = new FakeClock().now();
    const first = archiveName("app.log", now);
    expect(pickArchiveName("app.log", now, new Set())).toBe(first);
    expect(pickArchiveName("app.log", now, new Set([first]))).toBe(archiveName("app.log", now, 1));
    expect(
      pickArchiveName("app.log", now, new Set([`${first}.gz`, `${archiveName("app.log", now, 1)}.gz.logward-tmp`])),
    ).toBe(archiveName("app.log", now, 2));
  });
});

describe("retention and compression", () => {
  const now = new FakeClock().now();
  const names = (days: number[], gz = true): ArchiveName[] =>
    days.map((d) => parseArchiveName("app.log", archiveName("app.log", now - d * DAY, 0, gz)) as ArchiveName);

  it("keeps the newest `keep`", () => {
    const groups = groupArchives(names([1, 2, 3, 4]));
    const expired = expiredArchives({ keep: 2, keep_days: undefined }, groups, now);
    expect(expired.map((e) => e.group.stampMs)).toEqual([now - 3 * DAY, now - 4 * DAY]);
  });

  it("deletes archives rotated more than keep_days ago", () => {
    const groups = groupArchives(names([1, 29, 31, 40]));
    const expired = expiredArchives({ keep: undefined, keep_days: 30 }, groups, now);
    expect(expired.map((e) => e.group.stampMs)).toEqual([now - 31 * DAY, now - 40 * DAY]);
    expect(expired[0]?.reason).toContain("keep_days 30");
  });

  it("counts a rotation once even when both its plain and .gz copies exist", () => {
    const groups = groupArchives([...names([1, 2], false), ...names([1])]);
    expect(groups).toHaveLength(2);
    expect(leftoverPlainCopies(groups).map((g) => g.stampMs)).toEqual([now - DAY]);
  });

  it("compresses every plain archive, except the newest with delay_compress", () => {
    const groups = groupArchives(names([1, 2, 3], false));
    expect(archivesToCompress({ compress: true, delay_compress: false }, groups)).toHaveLength(3);
    expect(archivesToCompress({ compress: true, delay_compress: true }, groups).map((g) => g.stampMs)).toEqual([
      now - 2 * DAY,
      now - 3 * DAY,
    ]);
    expect(archivesToCompress({ compress: false, delay_compress: false }, groups)).toHaveLength(0);
  });
});
