// Checkpoints: where each source resumes after a restart, keyed by a source-defined identity.

export interface Checkpoint {
  /** Byte offset up to which every line has been delivered. */
  offset: number;
  /** Path last seen (informational: identity is the key). */
  path?: string;
  /** Extra source-specific state (fingerprint, device, inode...). */
  [key: string]: unknown;
}

export interface CheckpointStore {
  get(source: string, key: string): Checkpoint | undefined;
  /** All checkpoints of one source, by key. */
  list(source: string): Map<string, Checkpoint>;
  set(source: string, key: string, checkpoint: Checkpoint): void;
  delete(source: string, key: string): void;
  /** Write to disk now (atomic); resolves when durable. */
  flush(): Promise<void>;
}

/** An in-memory store, for `watch` without --state-dir and for tests. */
export class MemoryCheckpointStore implements CheckpointStore {
  protected readonly data = new Map<string, Map<string, Checkpoint>>();

  get(source: string, key: string): Checkpoint | undefined {
    return this.data.get(source)?.get(key);
  }

  list(source: string): Map<string, Checkpoint> {
    return new Map(this.data.get(source) ?? []);
  }

  set(source: string, key: string, checkpoint: Checkpoint): void {
    let bySource = this.data.get(source);
    if (!bySource) this.data.set(source, (bySource = new Map()));
    bySource.set(key, checkpoint);
  }

  delete(source: string, key: string): void {
    this.data.get(source)?.delete(key);
  }

  async flush(): Promise<void> {}
}
