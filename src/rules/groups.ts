// Per-key state of a rule (group_by): each distinct key has its own threshold window, cooldown and silence; at most
// max_groups keys and MAX_GROUP_BYTES bytes are held, the least recently seen key forgotten first.
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { Fields, LogRecord } from "../core/record.js";
import { Cooldown, NO_COOLDOWN } from "./cooldown.js";
import { ThresholdWindow } from "./threshold.js";

/** Longest key kept as is (in UTF-16 units); a longer one is cut and completed by a hash of the whole. */
export const MAX_KEY_CHARS = 256;
/** Bytes all the keys of one rule may hold (keys, field values, the lines in their windows), estimated. */
export const MAX_GROUP_BYTES = 64 * 1024 * 1024;
/** What a key costs beyond its text: the Map entry, the window, the cooldown, the field object. */
const GROUP_OVERHEAD_BYTES = 400;

export interface Group {
  readonly key: string;
  /** The group_by fields of the key (empty for a rule without group_by). */
  readonly fields: Fields;
  readonly window: ThresholdWindow<LogRecord> | undefined;
  readonly cooldown: Cooldown;
  /** Absence time (see absence.ts) when a matching line of this key last came. */
  lastSeen: number;
  /** The key is in a silence that has fired (absent), not yet recovered. */
  silent: boolean;
  /** Source of the key's last matching line, for the absence event. */
  source: string;
  /** Longest line the window took since it last emptied: with its size, an upper bound of the bytes it holds. */
  longestLine: number;
  /** Bytes this group was last charged. */
  charged: number;
}

export interface GroupLimits {
  maxGroups: number;
  maxBytes: number;
  threshold: { count: number; within: number } | undefined;
  cooldown: number;
}

/** The key of a record's fields: undefined when a group_by field is missing (the line is not attributable). */
export function groupKey(names: readonly string[], fields: Fields): { key: string; fields: Fields } | undefined {
  const picked: Fields = {};
  const values: unknown[] = [];
  for (const name of names) {
    const value = fields[name];
    if (value === undefined) return undefined;
    picked[name] = value;
    values.push(value);
  }
  const text = JSON.stringify(values);
  if (text.length <= MAX_KEY_CHARS) return { key: text, fields: picked };
  // A long value (a hostile "user name" of 100 KiB) keys by its hash and keeps only a cut copy of itself.
  const hash = createHash("sha256").update(text).digest("base64url");
  const short: Fields = {};
  for (const [name, value] of Object.entries(picked))
    short[name] = typeof value === "string" && value.length > MAX_KEY_CHARS ? value.slice(0, MAX_KEY_CHARS) : value;
  return { key: `${text.slice(0, MAX_KEY_CHARS - hash.length - 1)}#${hash}`, fields: short };
}

/** The groups of one rule, in least-recently-seen order (a Map iterates in insertion order). */
export class GroupTable {
  private readonly groups = new Map<string, Group>();
  private bytes = 0;

  constructor(
    private readonly limits: GroupLimits,
    private readonly clock: Clock,
    /** Called for each group forgotten to stay within the limits. */
    private readonly onEvict: (group: Group) => void,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /** Estimated bytes held (for tests). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** The key's group, made the most recently seen (created when new; the least recently seen ones go past limits). */
  touch(key: string, fields: Fields, source: string): Group {
    let group = this.groups.get(key);
    if (group) this.groups.delete(key);
    else group = this.create(key, fields, source);
    group.source = source;
    this.groups.set(key, group);
    return group;
  }

  /** Re-estimate a group's bytes after its window changed, and evict others if the rule is over its budget. */
  recharge(group: Group, line: LogRecord | undefined): void {
    const window = group.window;
    if (window && window.size === 0) group.longestLine = 0;
    else if (line) group.longestLine = Math.max(group.longestLine, line.line.length * 2);
    const bytes = groupCost(group.key) + (window ? window.size * group.longestLine : 0);
    this.bytes += bytes - group.charged;
    group.charged = bytes;
    this.evictOverLimits(group);
  }

  private create(key: string, fields: Fields, source: string): Group {
    const group = newGroup(key, fields, source, this.limits, this.clock);
    this.bytes += group.charged;
    this.evictOverLimits(group, 1);
    return group;
  }

  /** Forget the least recently seen groups (never `keep`) until `room` more fit within max_groups and the bytes. */
  private evictOverLimits(keep: Group, room = 0): void {
    for (const [key, oldest] of this.groups) {
      if (this.groups.size + room <= this.limits.maxGroups && this.bytes <= this.limits.maxBytes) return;
      if (oldest === keep) continue;
      this.groups.delete(key);
      this.bytes -= oldest.charged;
      this.onEvict(oldest);
    }
  }
}

/** A key's group as first seen: an empty window, no firing yet (the one of a rule without group_by too). */
export function newGroup(
  key: string,
  fields: Fields,
  source: string,
  limits: Pick<GroupLimits, "threshold" | "cooldown">,
  clock: Clock,
): Group {
  const { threshold, cooldown } = limits;
  return {
    key,
    fields,
    window: threshold ? new ThresholdWindow<LogRecord>(threshold.count, threshold.within) : undefined,
    cooldown: cooldown > 0 ? new Cooldown(cooldown, clock) : NO_COOLDOWN,
    lastSeen: 0,
    silent: false,
    source,
    longestLine: 0,
    charged: groupCost(key),
  };
}

function groupCost(key: string): number {
  return GROUP_OVERHEAD_BYTES + key.length * 4; // the key, and its fields again
}
