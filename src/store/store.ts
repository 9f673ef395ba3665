import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Lane, Reading } from '../core/reading.js';
import type { AlarmEvent, TechnicalCondition } from '../alarms/types.js';
import type { OutboxDepth, OutboxRow, OutboxSource } from './outbox-types.js';
import { openDatabase, openMemoryDatabase, type Db } from './db.js';
import { migrate, schemaVersion } from './migrations.js';
import { Outbox, type InsertResult } from './outbox.js';
import { Budget } from './budget.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { Kv, type KeyValueState } from './kv.js';
import { classifyStorageError, StorageFaults, type StorageFaultKind, type StorageFaultStats } from './faults.js';
import { HELD_ALARM_EVENTS_MAX, HeldAlarmEvents, HeldReadings } from './held.js';
import { FileWatch, fileId, reconcileMarker } from './identity.js';
import { quickCheckFile, verdict, type IntegrityResult } from './integrity.js';
import { checkIntegrity } from './db.js';

export type { InsertResult } from './outbox.js';
export type { KeyValueState } from './kv.js';
export type { IntegrityResult } from './integrity.js';

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

/** Storage health, for status and tests. */
export interface StorageHealth extends StorageFaultStats {
  /** 'memory': the file could not be opened; nothing is kept across a restart. */
  mode: 'file' | 'memory';
  heldAlarmEvents: number;
  heldReadings: number;
  droppedAlarmEvents: number;
  droppedReadings: [number, number, number];
  /** The database file was deleted or replaced while running (storage_replaced raised). */
  replaced: boolean;
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

export interface HousekeepingResult {
  prunedSent: number;
  prunedAlarmHistory: number;
  checkpointed: boolean;
}

const PRUNE_CHUNK = 20_000;
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
  private readonly pruneStmt: Database.Statement;
  private readonly probeStmt: Database.Statement;
  private readonly log: Logger;
  private readonly faults: StorageFaults;
  private readonly heldAlarms = new HeldAlarmEvents();
  private readonly heldReadings = new HeldReadings();
  private readonly watch: FileWatch | null;
  private retryTimer: TimerHandle | null = null;
  private recovering = false;
  private closed = false;

  private constructor(private readonly db: Db, private readonly opts: StoreOptions, log: Logger, readonly mode: 'file' | 'memory') {
    this.log = log;
    this.faults = new StorageFaults({ log, clock: opts.clock, onTechnical: opts.onTechnical });
    const opened = mode === 'file' ? fileId(opts.path) : null;
    this.watch = opened ? new FileWatch(opts.path, opened, log, opts.onTechnical) : null;
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
    this.pruneStmt = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY sent_at LIMIT ?) RETURNING bytes').pluck();
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
    let db: Db;
    let quarantined: string | null = null;
    let memoryReason: string | null = null;
    try {
      const opened = openDatabase(opts.path, log, opts.clock.now());
      try {
        migrate(opened.db, log);
      } catch (err) {
        opened.db.close();
        throw err;
      }
      db = opened.db;
      quarantined = opened.quarantined;
    } catch (err) {
      memoryReason = (err as Error).message;
      log.error({ path: opts.path, err: memoryReason }, 'cannot open the database file: running on a memory-only store, nothing is kept across a restart');
      db = openMemoryDatabase();
      migrate(db, log);
    }
    opts.onConnection?.(db);
    const store = new Store(db, opts, log, memoryReason === null ? 'file' : 'memory');
    const d = store.depth();
    log.info({ path: opts.path, mode: store.mode, unsent: d.total, byLane: d.byLane, maxBytes: opts.maxBytes }, 'store opened');
    if (quarantined) {
      opts.onTechnical({ code: 'storage_corrupt_recovered', active: true,
        text: `Database was corrupt and has been replaced by a fresh one; the old file is at ${quarantined}` });
    }
    if (memoryReason !== null) {
      store.faults.setCause('memory', `Cannot open the database ${opts.path} (${memoryReason}). Local monitoring and alarms continue on a memory-only store: nothing is saved to disk and everything not yet delivered is lost at a restart.`);
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
    const held = this.heldReadings.size > 0;
    const all = held ? [this.heldReadings.list(), ...batches] : batches;
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
      this.heldReadings.add(batches);
      this.fault(kind, err as Error, 'readings');
      throw err;
    }
    if (held) { this.heldReadings.clear(); results = results.slice(1); }
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
    if (this.heldAlarms.size > 0) {
      // events wait behind the held ones: try them all, in order
      const held = this.heldAlarms.push(e);
      if (!held) this.eventsLost();
      const r = this.writeAlarms(this.heldAlarms.list(), null);
      if (!r) return false;
      this.heldAlarms.clear();
      this.afterAlarms(r);
      return held && r.last;
    }
    if (!this.heldAlarms.admits(e)) return false;
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
      if (hold && !this.heldAlarms.push(hold)) this.eventsLost();
      this.fault(kind, err as Error, 'alarm event');
      return null;
    }
  }

  private afterAlarms(r: AlarmTxResult): void {
    this.budget.afterCommit();
    if (r.any) this.emit(0);
    this.recovered();
  }

  private eventsLost(): void {
    this.faults.setCause('events_lost', `Storage unavailable for too long: more than ${HELD_ALARM_EVENTS_MAX} alarm events waited to be saved, later ones are lost (${this.heldAlarms.dropped} so far). Local alarms keep working.`);
  }

  /** A storage fault: report it (once per transition), check the file, retry on the hub clock. */
  private fault(kind: StorageFaultKind, err: Error, what: string): void {
    this.faults.failed(kind, err, what, () => this.heldCounts());
    this.watch?.check();
    if (this.retryTimer === null && !this.closed) {
      this.retryTimer = this.opts.clock.setInterval(() => this.retry(), this.opts.retryMs ?? RETRY_MS);
      this.retryTimer.unref?.();
    }
  }

  private heldCounts(): Record<string, number> {
    return { heldAlarmEvents: this.heldAlarms.size, heldReadings: this.heldReadings.size, droppedAlarmEvents: this.heldAlarms.dropped };
  }

  /** The retry timer: write what is held, or probe with a one-row write when nothing is. */
  private retry(): void {
    if (this.closed) return;
    if (this.heldAlarms.size === 0 && this.heldReadings.size === 0) {
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
    if (this.recovering || (!this.faults.faulted && this.heldAlarms.size === 0 && this.heldReadings.size === 0)) return;
    this.recovering = true;
    try {
      if (this.heldAlarms.size > 0) {
        const r = this.writeAlarms(this.heldAlarms.list(), null);
        if (!r) return;
        this.heldAlarms.clear();
        this.budget.afterCommit();
        if (r.any) this.emit(0);
      }
      if (this.heldReadings.size > 0) {
        try { this.write([]); } catch { return; /* reported by write() */ }
      }
      this.faults.succeeded({ ...this.heldCounts(), droppedReadings: this.heldReadings.dropped.reduce((a, b) => a + b, 0) });
      this.faults.clearCause('events_lost', 'Storage writable again');
      if (this.retryTimer !== null) { this.opts.clock.clearInterval(this.retryTimer); this.retryTimer = null; }
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

  /** Marks rows delivered. Throws when the write fails (the caller keeps the seqs and retries). */
  ack(seqs: number[]): void {
    try {
      this.outbox.ack(seqs);
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
    this.watch?.check();
    try {
      return this.guarded('housekeeping', () => this.housekeep());
    } catch (err) {
      if (!classifyStorageError(err)) throw err;
      return { prunedSent: 0, prunedAlarmHistory: 0, checkpointed: false };
    }
  }

  private housekeep(): HousekeepingResult {
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

  /**
   * `PRAGMA quick_check` while running, in a worker thread on its own read-only connection (the
   * alarm loop is not blocked). A failure raises storage_error; a later clean check clears it.
   * The hub runs it on `schedule.integrityCheck`.
   */
  async integrityCheck(): Promise<IntegrityResult> {
    const t0 = this.opts.clock.mono();
    let detail: string | null;
    if (this.mode === 'memory') {
      detail = checkIntegrity(this.db);
    } else if (this.watch && !this.watch.check()) {
      return { ok: false, detail: 'the database file was deleted or replaced: not checked', ms: 0 };
    } else {
      const r = await quickCheckFile(this.opts.path);
      detail = 'error' in r ? `could not check the file: ${r.error}` : verdict(r.lines);
    }
    const ms = this.opts.clock.mono() - t0;
    if (detail === null) {
      this.log.info({ ms }, 'integrity check passed');
      this.faults.clearCause('integrity', 'Database integrity check passed');
      return { ok: true, detail: 'ok', ms };
    }
    this.log.error({ ms, detail }, 'integrity check failed');
    this.faults.setCause('integrity', `Database integrity check failed (${detail.slice(0, 160)}). Stored data may be damaged; local alarms keep working. Have the hub serviced.`);
    return { ok: false, detail, ms };
  }

  /** The journal mode and synchronous level in force on this connection. */
  durability(): { journalMode: string; synchronous: string } {
    const sync = Number(this.db.pragma('synchronous', { simple: true }));
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: SYNCHRONOUS[sync] ?? String(sync) };
  }

  /** Storage faults, held data and the file's identity. */
  health(): StorageHealth {
    return {
      ...this.faults.stats(),
      mode: this.mode,
      heldAlarmEvents: this.heldAlarms.size,
      heldReadings: this.heldReadings.size,
      droppedAlarmEvents: this.heldAlarms.dropped,
      droppedReadings: [...this.heldReadings.dropped],
      replaced: this.watch?.replaced ?? false,
    };
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
    if (this.heldAlarms.size || this.heldReadings.size) this.log.error(this.heldCounts(), 'store closed with data held in memory that could not be written: it is lost');
    this.closed = true;
    if (this.retryTimer !== null) { this.opts.clock.clearInterval(this.retryTimer); this.retryTimer = null; }
    try { this.db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* best effort; WAL replays on open */ }
    this.db.close();
    this.log.info('store closed');
  }
}

function fileSize(p: string): number {
  try { return statSync(p).size; } catch { return 0; }
}
