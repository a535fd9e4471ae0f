// Joins the parts of a log line a container runtime split (docker records without a newline, CRI `P` lines).
import type { LineJoiner, ReadLine } from "../core/component.js";

/** One line of a container log: a whole line of the program, or (partial) a part of one. */
export interface ContainerPart {
  time: string;
  stream: string;
  log: string;
  partial: boolean;
}

/**
 * A file source's line stage (as multiline is): partial parts are held until the part that ends them, then come out
 * as one line in the same format (the first part's time), which the parser reads as any other. Bounded: a line that
 * would grow past maxBytes comes out as it is so far (marked partial) and the rest starts a new one. One line is
 * open at a time: a part of the other stream meanwhile closes it. A line that is not of the format passes as is.
 */
export class ContainerJoiner implements LineJoiner {
  private open:
    { first: ReadLine; part: ContainerPart; logs: string[]; bytes: number; size: number; cut: number } | undefined;

  constructor(
    private readonly parse: (text: string) => ContainerPart | undefined,
    private readonly format: (part: ContainerPart) => string,
    private readonly maxBytes: number,
  ) {}

  get pendingOffset(): number | undefined {
    return this.open?.first.offset;
  }

  push(lines: ReadLine[]): ReadLine[] {
    const done: ReadLine[] = [];
    for (const line of lines) {
      const part = line.cut > 0 ? undefined : this.parse(line.text);
      if (this.open && (!part || part.stream !== this.open.part.stream || this.tooBig(part))) this.close(done);
      if (!part) done.push(line);
      else if (this.open) this.add(line, part, done);
      else if (part.partial) this.start(line, part);
      else done.push(line);
    }
    return done;
  }

  flush(): ReadLine | undefined {
    const done: ReadLine[] = [];
    this.close(done);
    return done[0];
  }

  reset(): void {
    this.open = undefined;
  }

  private start(line: ReadLine, part: ContainerPart): void {
    const size = Buffer.byteLength(part.log);
    this.open = { first: line, part, logs: [part.log], bytes: line.bytes, size, cut: 0 };
  }

  private tooBig(part: ContainerPart): boolean {
    return this.open !== undefined && this.open.size + Buffer.byteLength(part.log) > this.maxBytes;
  }

  private add(line: ReadLine, part: ContainerPart, done: ReadLine[]): void {
    const open = this.open!;
    open.logs.push(part.log);
    open.size += Buffer.byteLength(part.log);
    // Bytes of the file the joined line stands for, from its first line's start to this line's end.
    open.bytes = line.offset + line.bytes - open.first.offset;
    if (!part.partial) this.close(done, false);
  }

  /** Emit the open line: whole when its last part came, else (cut short) still marked partial. */
  private close(done: ReadLine[], partial = true): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    if (open.logs.length === 1 && partial) return void done.push(open.first);
    const text = this.format({ ...open.part, log: open.logs.join(""), partial });
    done.push({ offset: open.first.offset, text, bytes: open.bytes, cut: open.cut });
  }
}
