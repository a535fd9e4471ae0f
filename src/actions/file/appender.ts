// Appending to one file that may be rotated or deleted under us: before each write burst the path's
// inode is compared with the open file's, and a moved or missing file is reopened (parents created).
import fs from "node:fs/promises";
import path from "node:path";

export class Appender {
  private handle: fs.FileHandle | undefined;
  private identity: { dev: number; ino: number } | undefined;

  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  /** Append all of `data` (reopening first when the file was rotated away); durable on return when fsync is set. */
  async append(data: Buffer): Promise<void> {
    const handle = await this.current();
    for (let written = 0; written < data.length; ) {
      const { bytesWritten } = await handle.write(data, written, data.length - written);
      written += bytesWritten;
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

  private async current(): Promise<fs.FileHandle> {
    if (this.handle && (await this.stillThere())) return this.handle;
    await this.reopen();
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const handle = await fs.open(this.file, "a");
    const stat = await handle.stat();
    this.handle = handle;
    this.identity = { dev: stat.dev, ino: stat.ino };
    return handle;
  }

  private async stillThere(): Promise<boolean> {
    try {
      const stat = await fs.stat(this.file);
      return stat.dev === this.identity?.dev && stat.ino === this.identity.ino;
    } catch {
      return false;
    }
  }
}
