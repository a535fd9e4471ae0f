// Refusing archive folders someone else could redirect: links, and folders writable or owned by others.
import { promises as fsp } from "node:fs";
import { LogwardError } from "../core/errors.js";

/**
 * Throws ROTATE_UNSAFE_DIR when `dir` (where archives are written and expired) is a symbolic link, not a folder,
 * writable by others or by a group other than root's, without the sticky bit (like logrotate's "parent directory
 * has insecure permissions"),
 * or, when logward runs as root, owned by another user: whoever can change the folder could plant a link there
 * and have logward write or delete files elsewhere. A missing folder passes (nothing can be planted in it).
 */
export async function assertSafeArchiveDir(dir: string): Promise<void> {
  const st = await fsp.lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!st) return;
  if (st.isSymbolicLink()) {
    const target = await fsp.realpath(dir).catch(() => "an unresolvable target");
    throw unsafe(dir, `is a symbolic link (to ${target}); logward never writes or deletes through a link`, target);
  }
  if (!st.isDirectory()) throw unsafe(dir, "is not a folder");
  const sticky = (st.mode & 0o1000) !== 0;
  // Like logrotate, a folder writable by the root group only is fine: its members could do worse anyway.
  const othersWrite = (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== 0);
  if (!sticky && othersWrite) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
    throw unsafe(dir, `has insecure permissions (mode ${mode}: writable by group or others, no sticky bit)`);
  }
  const uid = process.getuid?.();
  if (uid === 0 && st.uid !== 0) {
    throw unsafe(dir, `is owned by uid ${st.uid} while logward runs as root (that user could swap it for a link)`);
  }
}

function unsafe(dir: string, what: string, realPath?: string): LogwardError {
  const fix = realPath ? `set archive_dir to the real folder` : `make it root's or yours and not writable by others`;
  return new LogwardError("ROTATE_UNSAFE_DIR", `archive folder ${dir} ${what}: job skipped (${fix})`);
}
