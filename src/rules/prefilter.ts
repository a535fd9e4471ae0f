// Batch prefilter: find the lines that may contain a required literal with indexOf over the joined batch,
// so the patterns run only on candidate lines instead of on every line.

/** The lines of one batch, joined once and searched for literals. */
export class BatchText {
  private joined: string | undefined;
  /** Offset of each line in `joined`, ascending. */
  private starts: number[] = [];
  private readonly cache = new Map<string, number[]>();

  constructor(private readonly lines: readonly string[]) {}

  /**
   * Ascending indexes of the lines that contain at least one of the literals. May include a line that
   * does not (a literal spanning the separator), never leaves out one that does.
   */
  candidates(literals: readonly string[]): number[] {
    if (literals.length === 1) return this.containing(literals[0] as string);
    const union = new Set<number>();
    for (const literal of literals) for (const index of this.containing(literal)) union.add(index);
    return [...union].sort((a, b) => a - b);
  }

  private containing(literal: string): number[] {
    let found = this.cache.get(literal);
    if (!found) {
      found = this.scan(literal);
      this.cache.set(literal, found);
    }
    return found;
  }

  /** One pass of indexOf: each hit names its line, and the search resumes at the next line. */
  private scan(literal: string): number[] {
    const text = this.text();
    const found: number[] = [];
    let line = 0;
    let from = 0;
    for (;;) {
      const hit = text.indexOf(literal, from);
      if (hit < 0) break;
      while (line + 1 < this.starts.length && (this.starts[line + 1] as number) <= hit) line++;
      found.push(line);
      if (line + 1 >= this.starts.length) break;
      from = this.starts[line + 1] as number;
      line++;
    }
    return found;
  }

  private text(): string {
    if (this.joined === undefined) {
      let offset = 0;
      this.starts = this.lines.map((l) => {
        const start = offset;
        offset += l.length + 1;
        return start;
      });
      this.joined = this.lines.join("\n");
    }
    return this.joined;
  }
}
