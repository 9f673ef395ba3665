import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Lane, Reading } from '../core/reading.js';
import type { AlarmEvent, TechnicalCondition } from '../alarms/types.js';
import type { OutboxDepth, OutboxRow, OutboxSource } from './outbox-types.js';
import { openDatabase, type Db } from './db.js';
import { migrate, schemaVersion } from './migrations.js';
import { Outbox, type InsertResult } from './outbox.js';
import { Budget } from './budget.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { Kv, type KeyValueState } from './kv.js';

export type { InsertResult } from './outbox.js';
export type { KeyValueState } from './kv.js';

export interface StoreOptions {
  path: string;
  /** Byte budget of the outbox (unsent + retained delivered rows). */
  maxBytes: number;
  /** Keep delivered rows this long before housekeeping prunes them. 0 = delete on ack. */
  retainSentHours: number;
  log: Logger;
  clock: Clock;
  onTechnical(c: TechnicalCondition): void;
  groupCommit?: GroupCommitOptions;
  /** Alarm history entries kept (newest); default 100,000. Never reduced by the byte budget. */
  alarmHistoryMax?: number;
}

export interface StoreStats {
  depth: OutboxDepth;
  /** Age in ms of the oldest unsent row (wall clock), null when empty. */
  oldestUnsentAgeMs: number | null;
  bytesUsed: number;
  unsentBytes: number;
  retainedBytes: number;
  retainedRows: number;
  maxBytes: number;
  evicting: boolean;
  evicted: [number, number, number];
  prunedForBudget: number;
  duplicates: number;
  commits: number;
  /** Database file plus its WAL, on disk. */
  dbFileBytes: number;
  schemaVersion: number;
}

export interface HousekeepingResult {
  prunedSent: number;
  prunedAlarmHistory: number;
  checkpointed: boolean;
}

const PRUNE_CHUNK = 20_000;

/** The durable local store: readings, outbox lanes, alarm history, key/value state. */
export class Store implements OutboxSource {
  private readonly outbox: Outbox;
  private readonly budget: Budget;
  private readonly kv: Kv;
  private readonly committer: GroupCommitter;
  private readonly listeners = new Set<(lane: Lane) => void>();
  private readonly insertTx: (batches: ReadonlyArray<readonly Reading[]>) => InsertResult[];
  private readonly alarmTx: (e: AlarmEvent, payload: string, rx: number) => boolean;
  private readonly historyStmt: Database.Statement;
  private readonly pruneStmt: Database.Statement;
  private readonly log: Logger;
  private closed = false;

  private constructor(private readonly db: Db, private readonly opts: StoreOptions, log: Logger) {
    this.log = log;
    const retainMs = Math.max(0, opts.retainSentHours) * 3_600_000;
    this.outbox = new Outbox(db, () => opts.clock.now(), retainMs);
    this.budget = new Budget(db, this.outbox, opts.maxBytes, log, opts.onTechnical);
    this.kv = new Kv(db);
    this.insertTx = db.transaction((batches: ReadonlyArray<readonly Reading[]>) => {
      const out: InsertResult[] = [];
      for (const b of batches) out.push(this.outbox.insertReadingsInTx(b));
      this.outbox.saveSeqInTx();
      this.budget.enforceInTx();
      return out;
    });
    const histInsert = db.prepare('INSERT OR IGNORE INTO alarm_history (id, t, payload) VALUES (?, ?, ?)');
    this.alarmTx = db.transaction((e: AlarmEvent, payload: string, rx: number) => {
      histInsert.run(e.id, rx, payload);
      const ok = this.outbox.insertAlarmInTx(e, payload, rx);
      this.outbox.saveSeqInTx();
      this.budget.enforceInTx();
      return ok;
    });
    this.historyStmt = db.prepare('SELECT payload FROM alarm_history ORDER BY t DESC, seq DESC LIMIT ?').pluck();
    this.pruneStmt = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY sent_at LIMIT ?) RETURNING bytes').pluck();
    this.committer = new GroupCommitter((batches) => this.write(batches), opts.clock, opts.groupCommit);
  }

  static open(opts: StoreOptions): Store {
    const log = opts.log.child('store');
    const opened = openDatabase(opts.path, log, opts.clock.now());
    try {
      migrate(opened.db, log);
    } catch (err) {
      opened.db.close();
      throw err;
    }
    const store = new Store(opened.db, opts, log);
    const d = store.depth();
    log.info({ path: opts.path, unsent: d.total, byLane: d.byLane, maxBytes: opts.maxBytes }, 'store opened');
    if (opened.quarantined) {
      opts.onTechnical({ code: 'storage_corrupt_recovered', active: true, priority: 'medium',
        text: `Database was corrupt and has been replaced by a fresh one; the old file is at ${opened.quarantined}` });
    }
    return store;
  }

  private write(batches: ReadonlyArray<readonly Reading[]>): InsertResult[] {
    if (this.closed) throw new Error('store is closed');
    const before = this.outbox.snapshot();
    let results: InsertResult[];
    try {
      results = this.insertTx(batches);
    } catch (err) {
      this.outbox.restore(before);
      this.log.error({ err: (err as Error).message }, 'write transaction failed');
      throw err;
    }
    this.budget.afterCommit();
    if (this.listeners.size) this.notify(results, batches);
    return results;
  }

  private notify(results: InsertResult[], batches: ReadonlyArray<readonly Reading[]>): void {
    if (!results.some((r) => r.inserted > 0)) return;
    const lanes = new Set<Lane>();
    for (const b of batches) for (const r of b) lanes.add(r.lane);
    for (const lane of lanes) this.emit(lane);
  }

  private emit(lane: Lane): void {
    for (const l of this.listeners) {
      try { l(lane); } catch (err) { this.log.warn({ err: (err as Error).message }, 'append listener failed'); }
    }
  }

  /** Inserts readings in one transaction, now. Same id twice is a no-op, counted as duplicate. */
  insertReadings(readings: readonly Reading[]): InsertResult {
    return this.write([readings])[0]!;
  }

  /** Queues readings for the next group commit; resolves once they are durable. */
  submit(readings: readonly Reading[]): Promise<InsertResult> {
    return this.committer.submit(readings);
  }

  /** Commits queued submissions now. */
  flush(): void { this.committer.flush(); }

  /** Stores an alarm event in lane 0 and in the alarm history, durably, before returning. */
  addAlarmEvent(e: AlarmEvent): boolean {
    if (this.closed) throw new Error('store is closed');
    const payload = JSON.stringify(e);
    const parsed = Date.parse(e.t);
    const rx = Number.isFinite(parsed) ? parsed : this.opts.clock.now();
    const before = this.outbox.snapshot();
    let ok: boolean;
    try {
      ok = this.alarmTx(e, payload, rx);
    } catch (err) {
      this.outbox.restore(before);
      throw err;
    }
    this.budget.afterCommit();
    if (ok) this.emit(0);
    return ok;
  }

  /** Alarm events, newest first. */
  alarmHistory(limit = 100): AlarmEvent[] {
    const rows = this.historyStmt.all(Math.max(0, limit)) as string[];
    return rows.map((p) => JSON.parse(p) as AlarmEvent);
  }

  /** Called (after commit) with the lane of newly stored rows. Returns an unsubscribe function. */
  onAppend(listener: (lane: Lane) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  pending(lane: Lane, afterSeq: number, max: number): OutboxRow[] {
    return this.outbox.pending(lane, afterSeq, max);
  }

  ack(seqs: number[]): void {
    this.outbox.ack(seqs);
    this.budget.maybeClear();
  }

  depth(): OutboxDepth {
    return this.outbox.depth();
  }

  kvGet(key: string): string | undefined { return this.kv.get(key); }
  kvSet(key: string, value: string): void { this.kv.set(key, value); }
  kvDelete(key: string): void { this.kv.delete(key); }
  deviceState(deviceId: string): KeyValueState { return this.kv.scoped(deviceId); }

  /** Prunes delivered rows past retention and old alarm history, then checkpoints the WAL. */
  housekeeping(): HousekeepingResult {
    const cutoff = this.opts.clock.now() - Math.max(0, this.opts.retainSentHours) * 3_600_000;
    let prunedSent = 0;
    for (;;) {
      const before = this.outbox.snapshot();
      let bytes: number[];
      try {
        bytes = this.db.transaction(() => this.pruneStmt.all(cutoff, PRUNE_CHUNK) as number[])();
      } catch (err) {
        this.outbox.restore(before);
        throw err;
      }
      for (const b of bytes) { this.outbox.acc.sentRows--; this.outbox.acc.sentBytes -= b; }
      prunedSent += bytes.length;
      if (bytes.length < PRUNE_CHUNK) break;
    }
    const keep = this.opts.alarmHistoryMax ?? 100_000;
    const prunedAlarmHistory = this.db.prepare(
      'DELETE FROM alarm_history WHERE seq IN (SELECT seq FROM alarm_history ORDER BY t DESC, seq DESC LIMIT -1 OFFSET ?)').run(keep).changes;
    const cp = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    const checkpointed = (cp[0]?.busy ?? 1) === 0;
    this.budget.maybeClear();
    if (prunedSent || prunedAlarmHistory) this.log.debug({ prunedSent, prunedAlarmHistory }, 'housekeeping');
    return { prunedSent, prunedAlarmHistory, checkpointed };
  }

  stats(): StoreStats {
    const depth = this.outbox.depth();
    const acc = this.outbox.acc;
    const unsent = acc.unsentBytes[0] + acc.unsentBytes[1] + acc.unsentBytes[2];
    return {
      depth,
      oldestUnsentAgeMs: depth.oldestRx === null ? null : Math.max(0, this.opts.clock.now() - depth.oldestRx),
      bytesUsed: unsent + acc.sentBytes,
      unsentBytes: unsent,
      retainedBytes: acc.sentBytes,
      retainedRows: acc.sentRows,
      maxBytes: this.opts.maxBytes,
      evicting: this.budget.isEvicting(),
      evicted: [...this.budget.counts.evicted],
      prunedForBudget: this.budget.counts.prunedForBudget,
      duplicates: this.outbox.duplicates,
      commits: this.committer.commits,
      dbFileBytes: fileSize(this.opts.path) + fileSize(`${this.opts.path}-wal`),
      schemaVersion: schemaVersion(this.db),
    };
  }

  /** Commits queued submissions, checkpoints and closes the file. */
  close(): void {
    if (this.closed) return;
    this.committer.close();
    this.closed = true;
    try { this.db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* best effort; WAL replays on open */ }
    this.db.close();
    this.log.info('store closed');
  }
}

function fileSize(p: string): number {
  try { return statSync(p).size; } catch { return 0; }
}
