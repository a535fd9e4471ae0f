// Opening a file to search as a stream of its (decompressed) bytes: plain, gzip, and zstd where Node has it.
import fs from "node:fs";
import type { Readable } from "node:stream";
import zlib from "node:zlib";

/** Bytes read from disk at a time: bounded, whatever the file's size. */
export const READ_CHUNK = 64 * 1024;

export type Opened = { stream: Readable; close: () => void } | { unsupported: string };

type Decompressor = () => NodeJS.ReadWriteStream & Readable;

/** zlib.createZstdDecompress came with Node 22.15 / 23.8; older runtimes skip .zst archives with a message. */
function zstd(): Decompressor | undefined {
  const make = (zlib as unknown as { createZstdDecompress?: Decompressor }).createZstdDecompress;
  return typeof make === "function" ? () => make.call(zlib) : undefined;
}

function decompressorFor(compression: string): Decompressor | string {
  if (compression === "gz" || compression === "z") return () => zlib.createGunzip({ chunkSize: READ_CHUNK });
  if (compression === "zst")
    return zstd() ?? `.zst needs Node 22.15 or later (this is ${process.version}); decompress it with zstd -d first`;
  return `no decompressor for .${compression} is built in; decompress it first (e.g. ${TOOL[compression] ?? "unpack"})`;
}

const TOOL: Record<string, string> = { bz2: "bunzip2 -k", xz: "unxz -k", lz4: "lz4 -d", zip: "unzip" };

/**
 * The file's bytes (decompressed), read in bounded chunks; `close` ends the reading early. A compression with no
 * decompressor here gives `unsupported` with what to do instead.
 */
export function openForSearch(file: string, compression: string | undefined): Opened {
  const decompress = compression ? decompressorFor(compression) : undefined;
  if (typeof decompress === "string") return { unsupported: decompress };
  const raw = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  if (!decompress) return { stream: raw, close: () => raw.destroy() };
  const inflate = decompress();
  // pipe, not pipeline: an error of either side is the caller's to see on `stream`, without unhandled rejections.
  raw.on("error", (err) => inflate.destroy(err));
  raw.pipe(inflate);
  return {
    stream: inflate,
    close: () => {
      raw.destroy();
      inflate.destroy();
    },
  };
}
