// Appending to one file that may be rotated or deleted under us: before each write burst the path's
// inode is compared with the open file's, and a moved or missing file is reopened (parents created).
import { makeDirs } from "../../core/mkdirs.js";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";

/**
 * Bursts up to this size are written with one synchronous write(2) (and the path checked with one stat(2)) on the
 * main thread: an append to the page cache takes microseconds, while each promise-based call is a round trip
 * through libuv's thread pool, which on a busy machine waits for a core twice. That round trip was most of the
 * append → `file` action latency. Larger bursts (catching up) stay asynchronous, so reading goes on meanwhile.
 */
export const SYNC_WRITE_BYTES = 64 * 1024;

export class Appender {
  private handle: fsp.FileHandle | undefined;
  private identity: { dev: number; ino: number } | undefined;

  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  /** Append all of `data` (reopening first when the file was rotated away); durable on return when fsync is set. */
  async append(data: Buffer): Promise<void> {
    const handle = this.handle && this.stillThere() ? this.handle : await this.open();
    if (data.length <= SYNC_WRITE_BYTES) {
      for (let written = 0; written < data.length;)
        written += fs.writeSync(handle.fd, data, written, data.length - written);
    } else {
      for (let written = 0; written < data.length;) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
    }
    if (this.fsync) await handle.sync();
  }

  /** Close now; the next append opens the path again (SIGHUP, after a write error). */
  async reopen(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.identity = undefined;
    await handle?.close().catch(() => {});
  }

  close(): Promise<void> {
    return this.reopen();
  }

  private async open(): Promise<fsp.FileHandle> {
    await this.reopen();
    await makeDirs(path.dirname(this.file));
    const handle = await fsp.open(this.file, "a");
    const stat = await handle.stat();
    this.handle = handle;
    this.identity = { dev: stat.dev, ino: stat.ino };
    return handle;
  }

  /** The path still leads to the open file (one stat(2): cheaper done here than as a thread-pool round trip). */
  private stillThere(): boolean {
    try {
      const stat = fs.statSync(this.file);
      return stat.dev === this.identity?.dev && stat.ino === this.identity.ino;
    } catch {
      return false; // gone, or not reachable now: reopening tells which
    }
  }
}
