// The one interface per component kind (source, parser, action, tap) and the contexts they are built with.
import type { z } from "zod";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { LogEvent } from "./event.js";
import type { LogRecord, RecordBatch, Release } from "./record.js";
import type { CheckpointStore } from "./checkpoint.js";
import type { Literal } from "./literals.js";

/** What every component is built with. */
export interface ComponentContext {
  /** The component's name in the config ("app", "discord"). */
  name: string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Folder for checkpoints, dead letters and other state. */
  stateDir: string;
}

/** A kind of component: its config type name, its zod schema (without `type`), and a factory. */
export interface ComponentKind<Config, Instance, Context> {
  readonly type: string;
  readonly schema: z.ZodType<Config>;
  create(config: Config, context: Context): Instance;
}

// ---- sources -------------------------------------------------------------------------------

export interface SourceContext extends ComponentContext {
  /**
   * Hand a batch to the pipeline. Resolves when it has been accepted (backpressure: await it before
   * reading more). The batch's ack completes when every action has delivered its events.
   */
  emit(batch: RecordBatch): Promise<void>;
  checkpoints: CheckpointStore;
  /**
   * Literals of which every line the pipeline wants contains at least one (its rules' prefilter), or undefined
   * when it wants every line. A source may then leave out other lines, still counting them as read and
   * acknowledging them. Asked again for each read: a reload can change it. A plain string is case-sensitive.
   */
  wanted?(): readonly (string | Literal)[] | undefined;
  /** --once: read what exists now, then report caughtUp. */
  once: boolean;
  /**
   * Records per batch the pipeline would rather get (one it evaluates at once): a source that has many at hand may
   * hand them over in batches of about this size, so a big read's records need not all be alive at once. Unset:
   * whole reads (a tap is told which rules matched each line of a batch, a threshold's earlier lines too).
   */
  batchRecords?: number;
  /**
   * Set when the source's parser reads a format whose writer splits long lines (docker, cri): a file source joins
   * the parts back with it, per file, before making records (as it does multiline events).
   */
  lineJoiner?(maxLineBytes: number): LineJoiner;
}

export interface Source {
  start(): Promise<void>;
  /** Resolves when everything present at start has been read and emitted (meaningful with once). */
  caughtUp(): Promise<void>;
  /** SIGHUP: reopen files, rescan paths. */
  reopen?(): void;
  /** Re-stat and read every open file to its current end; resolves when there is nothing left to read. */
  settle?(): Promise<void>;
  /** Stop reading; save checkpoints of acknowledged progress. */
  stop(): Promise<void>;
}

/**
 * The fields a source or parser can set on a record, for `logward check` (a rule grouping by a field nothing sets
 * never fires): names, a name ending in `*` for a family (`sd.*`), or undefined when it may set any (json).
 */
export type FieldNames = readonly string[] | undefined;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SourceKind<C = any> = ComponentKind<C, Source, SourceContext> & {
  /** The fields the source itself sets (its parser's come on top); absent: it may set any. */
  fieldsOf?(config: C): FieldNames;
};

// ---- parsers -------------------------------------------------------------------------------

export interface Parser {
  /**
   * Fill record.fields (and record.time when the line has a timestamp); false when the line is invalid for this
   * format. A parser of a wrapping format (docker, cri) also makes record.line the wrapped text, for rules to match.
   */
  parse(record: LogRecord): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParserKind<C = any> = ComponentKind<C, Parser, { logger: Logger }> & {
  /** For a format whose writer splits long lines: the stage that joins the parts back (see SourceContext). */
  joiner?(maxLineBytes: number): LineJoiner;
  /** The fields it sets; absent: it may set any. */
  fieldsOf?(config: C): FieldNames;
};

/** A line as a file source read it: where it starts, its text, its size in the file, and bytes cut from it. */
export interface ReadLine {
  offset: number;
  text: string;
  bytes: number;
  cut: number;
}

/** A stage between reading lines and making records that holds some lines back and joins them (multiline). */
export interface LineJoiner {
  /** Offset of the first line held back, if any: a restart must read again from there. */
  readonly pendingOffset: number | undefined;
  /** Feed complete lines; returns the lines (joined or not) ready to become records. */
  push(lines: ReadLine[]): ReadLine[];
  /** Give up waiting: what is held comes out as it is (the file is let go, a timeout). */
  flush(): ReadLine | undefined;
  /** Forget what is held (the file is read again from an earlier offset). */
  reset(): void;
}

// ---- actions -------------------------------------------------------------------------------

export type ActionContext = ComponentContext;

export interface Action {
  /**
   * Take an event. Resolves once it is accepted (a full queue makes this wait: backpressure);
   * call release when it has been delivered, or definitively given up (dead-lettered).
   */
  send(event: LogEvent, release: Release): Promise<void>;
  /**
   * True when the action calls the releases it was given exactly once each, in the order it was given them, and
   * never one of an event it refused: its events may then share one release function (see Ack.ordered).
   */
  readonly releasesInOrder?: boolean;
  /** Deliver everything pending within the deadline (ms from now); resolves when done or out of time. */
  flush(deadlineMs: number): Promise<void>;
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActionKind<C = any> = ComponentKind<C, Action, ActionContext>;

// ---- taps ----------------------------------------------------------------------------------

/** What a tap is told of a source when the pipeline adds it (at start or on reload). */
export interface TapSourceInfo {
  type: string;
  /** The configured path (paths joined with ", "), for sources that read files. */
  path?: string;
}

/**
 * Something that watches the pipeline without acting on it (the web view): it sees every batch after the rules,
 * alerts and stats reports. Its calls are synchronous and on the path of every batch, so they must stay cheap.
 */
export interface Tap {
  /** A source was added (at start or on reload). */
  sourceAdded(name: string, info: TapSourceInfo): void;
  /** True when the tap shows every line of the source: no byte prefilter may then leave lines out of it. */
  wantsAllLines(source: string): boolean;
  /** A batch after parsing and the rules; `matched` holds, for a record a rule matched, those rules' names. */
  records(records: LogRecord[], matched: ReadonlyMap<LogRecord, string[]>): void;
  /** An event that is not one line's match: a threshold crossed, a traffic alert. */
  alert(event: LogEvent): void;
  /** A stats job's periodic report. */
  report(job: string, report: unknown): void;
}
