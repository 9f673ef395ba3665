import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Lane, Reading } from '../core/reading.js';
import type { AlarmEvent, TechnicalCondition } from '../alarms/types.js';
import type { BatchWrap, DeliveredRange, JoinedRows, OutboxDepth, OutboxRow, OutboxSource } from './outbox-types.js';
import { openOrFallBack, type Db } from './db.js';
import { schemaVersion } from './migrations.js';
import { Outbox, type InsertResult } from './outbox.js';
import { Budget } from './budget.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { Kv, type KeyValueState } from './kv.js';
import { classifyStorageError, type StorageFaultKind } from './faults.js';
import { FaultState, type StorageHealth } from './fault-state.js';
import { FileWatch, fileId, reconcileMarker } from './identity.js';
import type { IntegrityResult } from './integrity.js';
import { integrityCheck, Maintenance, type HousekeepingResult } from './maintenance.js';

export type { InsertResult } from './outbox.js';
export type { KeyValueState } from './kv.js';
export type { IntegrityResult } from './integrity.js';
export type { StorageHealth } from './fault-state.js';
export type { HousekeepingResult } from './maintenance.js';

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
  /** While a storage fault lasts, held data is retried this often (hub clock), ms. Default 5000. */
  retryMs?: number;
  /**
   * Called once with the open connection, after the standard PRAGMAs: per-connection settings
   * beyond them (diagnostics; the fault tests set a `max_page_count` ceiling when they cannot
   * mount a small file system).
   */
  onConnection?(db: Db): void;
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
  storage: StorageHealth;
}

const RETRY_MS = 5000;
const SYNCHRONOUS = ['off', 'normal', 'full', 'extra'] as const;

interface AlarmTxResult { any: boolean; last: boolean }

/**
 * The durable local store: readings, outbox lanes, alarm history, key/value state.
 *
 * Storage faults (see faults.ts, held.ts, identity.ts): a write that fails because the disk is
 * full or the file has an I/O error raises `storage_full` / `storage_error` once; the readings and
 * alarm events of the failed write are held in memory (bounded) and written first by the next
 * write that succeeds, or by the retry timer (`retryMs`, hub clock), which then clears the
 * condition. Alarm events are never dropped by a full disk unless more than 10,000 wait; then
 * `storage_error` says so, and the backend still never sees a `cleared` without its `raised`.
 * A file that cannot be opened at all gives an in-memory store and `storage_error`.
 */
export class Store implements OutboxSource {
  private readonly outbox: Outbox;
  private readonly budget: Budget;
  private readonly kv: Kv;
  private readonly committer: GroupCommitter;
  private readonly listeners = new Set<(lane: Lane) => void>();
  private readonly insertTx: (batches: ReadonlyArray<readonly Reading[]>) => InsertResult[];
  private readonly alarmTx: (events: readonly AlarmEvent[]) => AlarmTxResult;
  private readonly historyStmt: Database.Statement;
  private readonly probeStmt: Database.Statement;
  private readonly log: Logger;
  private readonly fs: FaultState;
  private readonly maintenance: Maintenance;
  private recovering = false;
  private closed = false;

  private constructor(private readonly db: Db, private readonly opts: StoreOptions, log: Logger, readonly mode: 'file' | 'memory') {
    this.log = log;
    const opened = mode === 'file' ? fileId(opts.path) : null;
    this.fs = new FaultState({
      mode, log, clock: opts.clock, onTechnical: opts.onTechnical, retryMs: opts.retryMs ?? RETRY_MS, retry: () => this.retry(),
      watch: opened ? new FileWatch(opts.path, opened, log, opts.onTechnical) : null,
    });
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
    this.alarmTx = db.transaction((events: readonly AlarmEvent[]) => {
      const r: AlarmTxResult = { any: false, last: false };
      for (const e of events) {
        const payload = JSON.stringify(e);
        const parsed = Date.parse(e.t);
        const rx = Number.isFinite(parsed) ? parsed : this.opts.clock.now();
        histInsert.run(e.id, rx, payload);
        r.last = this.outbox.insertAlarmInTx(e, payload, rx);
        if (r.last) r.any = true;
      }
      this.outbox.saveSeqInTx();
      this.budget.enforceInTx();
      return r;
    });
    this.historyStmt = db.prepare('SELECT payload FROM alarm_history ORDER BY t DESC, seq DESC LIMIT ?').pluck();
    this.maintenance = new Maintenance(db, this.outbox);
    this.probeStmt = db.prepare("INSERT INTO counters (name, value) VALUES ('write_probe', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    this.committer = new GroupCommitter((batches) => this.write(batches), opts.clock, opts.groupCommit);
  }

  /**
   * Opens (or creates) the database. Never fails for a storage reason: a corrupt file is moved
   * aside (storage_corrupt_recovered), a file that cannot be opened at all gives an in-memory
   * store (storage_error), a database other than the one the state directory had raises
   * storage_replaced.
   */
  static open(opts: StoreOptions): Store {
    const log = opts.log.child('store');
    const { db, quarantined, memoryReason } = openOrFallBack(opts.path, log, opts.clock.now());
    opts.onConnection?.(db);
    const store = new Store(db, opts, log, memoryReason === null ? 'file' : 'memory');
    const d = store.depth();
    log.info({ path: opts.path, mode: store.mode, unsent: d.total, byLane: d.byLane, maxBytes: opts.maxBytes }, 'store opened');
    if (quarantined) {
      opts.onTechnical({ code: 'storage_corrupt_recovered', active: true,
        text: `Database was corrupt and has been replaced by a fresh one; the old file is at ${quarantined}` });
    }
    if (memoryReason !== null) {
      store.fs.faults.setCause('memory', `Cannot open the database ${opts.path} (${memoryReason}). Local monitoring and alarms continue on a memory-only store: nothing is saved to disk and everything not yet delivered is lost at a restart.`);
    } else {
      store.checkMarker(quarantined !== null);
    }
    return store;
  }

  private checkMarker(quarantined: boolean): void {
    let replaced: string | null;
    try {
      replaced = reconcileMarker(this.opts.path, this.kv, quarantined, this.log);
    } catch (err) {
      const kind = classifyStorageError(err);
      if (!kind) throw err;
      this.fault(kind, err as Error, 'database id');
      return;
    }
    if (replaced) this.opts.onTechnical({ code: 'storage_replaced', active: true, text: replaced });
  }

  private write(batches: ReadonlyArray<readonly Reading[]>): InsertResult[] {
    if (this.closed) throw new Error('store is closed');
    // readings held from a failed write go first, in the same transaction: measurement order
    const held = this.fs.readings.size > 0;
    const all = held ? [this.fs.readings.list(), ...batches] : batches;
    const before = this.outbox.snapshot();
    let results: InsertResult[];
    try {
      results = this.insertTx(all);
    } catch (err) {
      this.outbox.restore(before);
      const kind = classifyStorageError(err);
      if (!kind) {
        this.log.error({ err: (err as Error).message }, 'write transaction failed');
        throw err;
      }
      this.fs.readings.add(batches);
      this.fault(kind, err as Error, 'readings');
      throw err;
    }
    if (held) { this.fs.readings.clear(); results = results.slice(1); }
    this.budget.afterCommit();
    if (this.listeners.size) this.notify(results, all);
    this.recovered();
    return results;
  }

  private notify(results: InsertResult[], batches: ReadonlyArray<readonly Reading[]>): void {
    if (!results.some((r) => r.inserted > 0) && batches.length === results.length) return;
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

  /**
   * Queues readings for the next group commit; resolves once they are durable. Rejects when the
   * storage fails: the readings are then held in memory and written when it works again.
   */
  submit(readings: readonly Reading[]): Promise<InsertResult> {
    return this.committer.submit(readings);
  }

  /** Commits queued submissions now. */
  flush(): void { this.committer.flush(); }

  /**
   * Stores an alarm event in lane 0 and in the alarm history, durably, before returning true.
   * False: a duplicate id, or the storage failed and the event is held in memory (written, in
   * order, when it works again), or it was dropped because too many were held. Never throws for
   * a storage fault.
   */
  addAlarmEvent(e: AlarmEvent): boolean {
    if (this.closed) throw new Error('store is closed');
    if (this.fs.alarms.size > 0) {
      // events wait behind the held ones: try them all, in order
      const held = this.fs.holdAlarm(e);
      const r = this.writeAlarms(this.fs.alarms.list(), null);
      if (!r) return false;
      this.fs.alarms.clear();
      this.afterAlarms(r);
      return held && r.last;
    }
    if (!this.fs.alarms.admits(e)) return false;
    const r = this.writeAlarms([e], e);
    if (!r) return false;
    this.afterAlarms(r);
    return r.last;
  }

  /** One alarm transaction; null when the storage failed (then `hold` is held first, then the fault reported). */
  private writeAlarms(events: readonly AlarmEvent[], hold: AlarmEvent | null): AlarmTxResult | null {
    const before = this.outbox.snapshot();
    try {
      return this.alarmTx(events);
    } catch (err) {
      this.outbox.restore(before);
      const kind = classifyStorageError(err);
      if (!kind) throw err;
      if (hold) this.fs.holdAlarm(hold);
      this.fault(kind, err as Error, 'alarm event');
      return null;
    }
  }

  private afterAlarms(r: AlarmTxResult): void {
    this.budget.afterCommit();
    if (r.any) this.emit(0);
    this.recovered();
  }

  private fault(kind: StorageFaultKind, err: Error, what: string): void {
    if (!this.closed) this.fs.failed(kind, err, what);
  }

  /** The retry timer: write what is held, or probe with a one-row write when nothing is. */
  private retry(): void {
    if (this.closed) return;
    if (this.fs.nothingHeld) {
      try {
        this.probeStmt.run(this.opts.clock.now());
      } catch (err) {
        const kind = classifyStorageError(err);
        if (kind) this.fault(kind, err as Error, 'retry');
        else this.log.error({ err: (err as Error).message }, 'storage probe failed');
        return;
      }
    }
    this.recovered();
  }

  /** After any successful write: writes what is held, then ends the fault. Cheap when all is well. */
  private recovered(): void {
    if (this.recovering || this.fs.clear) return;
    this.recovering = true;
    try {
      if (this.fs.alarms.size > 0) {
        const r = this.writeAlarms(this.fs.alarms.list(), null);
        if (!r) return;
        this.fs.alarms.clear();
        this.budget.afterCommit();
        if (r.any) this.emit(0);
      }
      if (this.fs.readings.size > 0) {
        try { this.write([]); } catch { return; /* reported by write() */ }
      }
      this.fs.recovered();
    } finally {
      this.recovering = false;
    }
  }

  /** Runs a write that is not on the ingest path, reporting a storage fault and rethrowing. */
  private guarded<T>(what: string, fn: () => T): T {
    let out: T;
    try {
      out = fn();
    } catch (err) {
      const kind = classifyStorageError(err);
      if (kind) this.fault(kind, err as Error, what);
      throw err;
    }
    this.recovered();
    return out;
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

  /** The next batch of a lane, joined in SQLite (outbox-types.ts). */
  pendingJoined(lane: Lane, afterSeq: number, max: number, wrap?: BatchWrap): JoinedRows | null {
    return this.outbox.pendingJoined(lane, afterSeq, max, wrap);
  }

  /** Marks rows delivered. Throws when the write fails (the caller keeps the seqs and retries). */
  ack(seqs: number[]): void {
    this.acking(() => this.outbox.ack(seqs));
  }

  /**
   * Marks rows delivered by range (outbox-types.ts): one small row per range instead of a
   * rewrite per reading. Throws when the write fails (the caller keeps the ranges and retries).
   */
  ackRanges(ranges: DeliveredRange[]): void {
    this.acking(() => this.outbox.ackRanges(ranges));
  }

  /**
   * An acknowledgement is committed without its own fsync (synchronous=NORMAL for that one
   * transaction): losing it in a power cut only sends those rows again, which at-least-once
   * allows, and the next stored reading's commit (synchronous=FULL) makes it durable anyway.
   * Readings and alarm events are never committed this way.
   */
  private acking(fn: () => number): void {
    const file = this.mode === 'file';
    try {
      if (file) this.db.pragma('synchronous = NORMAL');
      try { fn(); } finally { if (file) this.db.pragma('synchronous = FULL'); }
    } catch (err) {
      const kind = classifyStorageError(err);
      if (kind) this.fault(kind, err as Error, 'ack');
      throw err;
    }
    this.budget.maybeClear();
    this.recovered();
  }

  depth(): OutboxDepth {
    return this.outbox.depth();
  }

  kvGet(key: string): string | undefined { return this.kv.get(key); }
  kvSet(key: string, value: string): void { this.guarded('state', () => this.kv.set(key, value)); }
  kvDelete(key: string): void { this.guarded('state', () => this.kv.delete(key)); }
  deviceState(deviceId: string): KeyValueState {
    const inner = this.kv.scoped(deviceId);
    return { get: (key) => inner.get(key), set: (key, value) => this.guarded('device state', () => inner.set(key, value)) };
  }

  /**
   * Checks that the database file is still the one opened (storage_replaced otherwise), prunes
   * delivered rows past retention and old alarm history, then checkpoints the WAL. A storage
   * fault is reported (not thrown) and housekeeping is tried again next time.
   */
  housekeeping(): HousekeepingResult {
    this.fs.watch?.check();
    const cutoff = this.opts.clock.now() - Math.max(0, this.opts.retainSentHours) * 3_600_000;
    let r: HousekeepingResult;
    try {
      r = this.guarded('housekeeping', () => this.maintenance.housekeep(cutoff, this.opts.alarmHistoryMax ?? 100_000));
    } catch (err) {
      if (!classifyStorageError(err)) throw err;
      return { prunedSent: 0, prunedAlarmHistory: 0, checkpointed: false };
    }
    this.budget.maybeClear();
    if (r.prunedSent || r.prunedAlarmHistory) this.log.debug({ prunedSent: r.prunedSent, prunedAlarmHistory: r.prunedAlarmHistory }, 'housekeeping');
    return r;
  }

  /**
   * `PRAGMA quick_check` while running, off the event loop (maintenance.ts). A failure raises
   * storage_error. The hub runs it on `schedule.integrityCheck`.
   */
  integrityCheck(): Promise<IntegrityResult> {
    return integrityCheck({ db: this.db, path: this.opts.path, mode: this.mode, watch: this.fs.watch, faults: this.fs.faults, log: this.log, clock: this.opts.clock });
  }

  /** The journal mode and synchronous level in force on this connection. */
  durability(): { journalMode: string; synchronous: string } {
    const sync = Number(this.db.pragma('synchronous', { simple: true }));
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: SYNCHRONOUS[sync] ?? String(sync) };
  }

  /** Storage faults, held data and the file's identity. */
  health(): StorageHealth { return this.fs.health(); }

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
      dbFileBytes: this.mode === 'memory' ? 0 : fileSize(this.opts.path) + fileSize(`${this.opts.path}-wal`),
      schemaVersion: schemaVersion(this.db),
      storage: this.health(),
    };
  }

  /** Commits queued submissions and what is held (if the storage allows), checkpoints and closes. */
  close(): void {
    if (this.closed) return;
    this.committer.close();
    this.recovered();
    this.fs.close();
    this.closed = true;
    this.outbox.close();
    try { this.db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* best effort; WAL replays on open */ }
    this.db.close();
    this.log.info('store closed');
  }
}

function fileSize(p: string): number {
  try { return statSync(p).size; } catch { return 0; }
}
