import type { Clock, TimerHandle } from '../core/clock.js';
import type { Reading } from '../core/reading.js';
import type { InsertResult } from './outbox.js';

/**
 * Group commit: batches submitted within a short window are written in one transaction (one
 * fsync), and each submitter's promise resolves only after that transaction committed, so a
 * driver is told "stored" only when the data is durable. A flush happens `windowMs` after the
 * first queued batch, or as soon as `maxRows` readings are queued.
 *
 * Under sustained load (the previous commit carried at least half of `maxRows`) the window is
 * not waited for: the next flush runs on the next event-loop turn (setImmediate). A commit
 * blocks the loop, so what arrived meanwhile is delivered in that turn and still goes into one
 * transaction; waiting out the window on top would only leave the writer idle.
 */
export interface GroupCommitOptions {
  /** Longest wait to collect more batches, ms. Default 10. */
  windowMs?: number;
  /** Flush as soon as this many readings are queued. Default 8192. */
  maxRows?: number;
}

/** Writes all batches in one transaction; returns one result per batch, in order. */
export type CommitFn = (batches: ReadonlyArray<readonly Reading[]>) => InsertResult[];

interface Waiter {
  readings: readonly Reading[];
  resolve(r: InsertResult): void;
  reject(e: unknown): void;
}

export class GroupCommitter {
  private queue: Waiter[] = [];
  private queuedRows = 0;
  private timer: TimerHandle | null = null;
  private immediate = false;
  private nextTurn: ReturnType<typeof setImmediate> | null = null;
  private busy = false;
  private closed = false;
  readonly windowMs: number;
  readonly maxRows: number;
  /** Transactions committed (for stats and tests). */
  commits = 0;

  constructor(private readonly commit: CommitFn, private readonly clock: Clock, opts: GroupCommitOptions = {}) {
    this.windowMs = Math.max(0, opts.windowMs ?? 10);
    this.maxRows = Math.max(1, opts.maxRows ?? 8192);
  }

  submit(readings: readonly Reading[]): Promise<InsertResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (readings.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 });
    return new Promise<InsertResult>((resolve, reject) => {
      this.queue.push({ readings, resolve, reject });
      this.queuedRows += readings.length;
      if (this.queuedRows >= this.maxRows || this.windowMs === 0) {
        if (!this.immediate) {
          this.immediate = true;
          queueMicrotask(() => { this.immediate = false; this.flush(); });
        }
      } else if (this.busy) {
        this.nextTurn ??= setImmediate(() => { this.nextTurn = null; this.flush(); });
      } else if (this.timer === null) {
        // not unref'd: queued submissions must be committed even if nothing else keeps the process up
        this.timer = this.clock.setTimeout(() => { this.timer = null; this.flush(); }, this.windowMs);
      }
    });
  }

  /** Commits everything queued now (synchronously). */
  flush(): void {
    if (this.timer !== null) { this.clock.clearTimeout(this.timer); this.timer = null; }
    if (this.nextTurn !== null) { clearImmediate(this.nextTurn); this.nextTurn = null; }
    if (this.queue.length === 0) return;
    const waiters = this.queue;
    const rows = this.queuedRows;
    this.queue = [];
    this.queuedRows = 0;
    this.busy = rows * 2 >= this.maxRows;
    let results: InsertResult[];
    try {
      results = this.commit(waiters.map((w) => w.readings));
      this.commits++;
    } catch (err) {
      for (const w of waiters) w.reject(err);
      return;
    }
    for (let i = 0; i < waiters.length; i++) waiters[i]!.resolve(results[i] ?? { inserted: 0, duplicates: 0 });
  }

  /** Flushes and refuses further submissions. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
