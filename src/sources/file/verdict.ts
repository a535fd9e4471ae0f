// Verdicts: what happened to a file since it was last looked at — pure judgements of a stat, its first bytes, and
// what was known of it (an open file's last look, or a checkpoint). I/O stays with the callers.
import { type Head, headMatches } from "./fingerprint.js";

/**
 * - unchanged: nothing new; grown: new bytes to read.
 * - truncated: an open file shrank or its first bytes changed (copytruncate, `> file`): read it again from 0.
 * - renamed / deleted: the path leads elsewhere now, or nowhere and the file has no link left.
 * - replaced: a file found with a checkpoint of its inode that it does not match (inode reused, or rewritten).
 * - copied: a file taken for a copy of one being read (its lines come from the original).
 * - copy-grew: a file taken for a copy has grown, so it was not one (a shared header): read it after all.
 * - new: no checkpoint.
 */
export type Verdict =
  "unchanged" | "grown" | "truncated" | "renamed" | "deleted" | "replaced" | "copied" | "copy-grew" | "new";

/** What was known of an open file when it was last looked at. */
export interface Known {
  key: string;
  /** Its size then. */
  size: number;
  /** Where reading has got to. */
  readPos: number;
  mtimeMs: number;
  /** Already rotated away (its path is no longer watched for it). */
  detached: boolean;
}

/** What a look at an open file found. */
export interface Look {
  size: number;
  mtimeMs: number;
  nlink: number;
  /** Whether it still begins with the bytes it was identified by; undefined when not checked. */
  headIntact?: boolean;
  /** The key of the file at its path now: null when none is there, undefined when the path was not looked at. */
  atPath?: string | null;
}

/** Whether a look must check the first bytes: only a file whose size or time changed can have been rewritten. */
export function needsHeadCheck(known: Known, look: Pick<Look, "size" | "mtimeMs">): boolean {
  return look.size !== known.size || look.mtimeMs !== known.mtimeMs;
}

/** What happened to an open file. Truncation wins over the rest: what follows depends on it. */
export function judgeOpen(known: Known, look: Look): Verdict {
  // A file only shrinks when it is truncated: below what we read, or below what it held when we last looked.
  if (look.size < known.readPos || look.size < known.size || look.headIntact === false) return "truncated";
  if (!known.detached && look.atPath !== undefined && look.atPath !== known.key)
    return look.nlink === 0 ? "deleted" : "renamed";
  return look.size > known.size ? "grown" : "unchanged";
}

/** A checkpoint as the judgement needs it. */
export interface Stored {
  offset: number;
  head: Head | undefined;
  /** Recorded as a copy of a file being read. */
  copy: boolean;
}

/** What a file found at a path is, given the checkpoint of its inode (if any) and its first bytes. */
export function judgeFound(cp: Stored | undefined, size: number, headBytes: Buffer): Verdict {
  if (!cp) return "new";
  if (cp.copy && size > cp.offset) return "copy-grew";
  if (cp.head && headMatches(headBytes, cp.head) && size >= cp.offset) {
    if (cp.copy) return "copied";
    return size > cp.offset ? "grown" : "unchanged";
  }
  return "replaced";
}
