// Archive names: `{stem}-{YYYYMMDD-HHmmss}[-N]{ext}[.gz]` in local time (like logrotate's dateext).
//
// Local time because that is what people read in `ls` and what logrotate's dateext does; the stamp is
// parsed back (local) for keep_days, so a DST shift moves an archive's age by at most an hour.
// Only names that round-trip exactly are archives: retention never touches anything else.

/** Suffix of files being written (compressed or copied) before they are renamed into place. */
export const TEMP_SUFFIX = ".logward-tmp";

export interface NameParts {
  stem: string;
  ext: string;
}

/** `app.log` → { stem: "app", ext: ".log" }; `.env` and `app` have no ext. */
export function splitName(basename: string): NameParts {
  const dot = basename.lastIndexOf(".");
  if (dot <= 0) return { stem: basename, ext: "" };
  return { stem: basename.slice(0, dot), ext: basename.slice(dot) };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** YYYYMMDD-HHmmss of ms, in local time. */
export function formatStamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-` +
    `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`
  );
}

/** The local time a stamp names, or undefined when it is not a real date (20261399-...). */
export function parseStamp(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(stamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = new Date(y, mo - 1, d, h, mi, s).getTime();
  return formatStamp(ms) === stamp ? ms : undefined;
}

/** The archive name of `basename` rotated at ms; seq > 0 is the collision suffix (-1, -2...). */
export function archiveName(basename: string, ms: number, seq = 0, gz = false): string {
  const { stem, ext } = splitName(basename);
  return `${stem}-${formatStamp(ms)}${seq > 0 ? `-${seq}` : ""}${ext}${gz ? ".gz" : ""}`;
}

export interface ArchiveName {
  /** The file name as found. */
  name: string;
  /** The name without .gz: the same rotation compressed or not shares it. */
  base: string;
  /** Rotation time named by the stamp. */
  stampMs: number;
  seq: number;
  gz: boolean;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Parse `candidate` as an archive of the file `basename`; undefined for anything else. */
export function parseArchiveName(basename: string, candidate: string): ArchiveName | undefined {
  const { stem, ext } = splitName(basename);
  const re = new RegExp(`^${escapeRe(stem)}-(\\d{8}-\\d{6})(?:-([1-9]\\d{0,5}))?${escapeRe(ext)}(\\.gz)?$`);
  const m = re.exec(candidate);
  if (!m || m[1] === undefined) return undefined;
  const stampMs = parseStamp(m[1]);
  if (stampMs === undefined) return undefined;
  const gz = m[3] !== undefined;
  return { name: candidate, base: gz ? candidate.slice(0, -3) : candidate, stampMs, seq: m[2] ? Number(m[2]) : 0, gz };
}

/** A temp file of an archive of `basename` (left behind by a crash), or undefined. */
export function parseArchiveTemp(basename: string, candidate: string): ArchiveName | undefined {
  if (!candidate.endsWith(TEMP_SUFFIX)) return undefined;
  return parseArchiveName(basename, candidate.slice(0, -TEMP_SUFFIX.length));
}

/** Any name of the archive form, whatever its stem: glob matches exclude these (never rotate an archive). */
export function looksLikeArchive(name: string): boolean {
  return /-\d{8}-\d{6}(?:-\d+)?(?:\.[^.]*)?(?:\.gz)?(?:\.logward-tmp)?$/.test(name);
}

/** Newest first: by stamp, then collision suffix. */
export function compareNewestFirst(a: ArchiveName, b: ArchiveName): number {
  return b.stampMs - a.stampMs || b.seq - a.seq;
}
