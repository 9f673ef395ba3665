/**
 * Byte budget and eviction policy of the store.
 *
 * What counts: every row of the outbox table, unsent or delivered-and-retained, at its
 * accounted size (payload JSON length + ROW_OVERHEAD_BYTES). Alarm history and key/value state
 * are small and not counted. The counters live in memory (see outbox.ts), so checking the budget
 * after a write costs nothing.
 *
 * When the total exceeds `maxBytes`, rows are removed until it is at or below the low-water mark
 * (LOW_WATER x maxBytes, so a full store does not evict on every single batch), in this order:
 *   1. delivered rows still retained for history, oldest delivery first (no data is lost):
 *      rows acknowledged by row first, then delivered ranges (delivered.ts), range by range;
 *   2. UNSENT rows of lane 2 (high-rate/waveforms), oldest (lowest seq) first;
 *   3. UNSENT rows of lane 1 (clinical readings), oldest first.
 * Lane 0 (alarm events) is never evicted, whatever the budget says; if lane 0 alone is over the
 * budget the store keeps writing and logs it once.
 *
 * Evicting unsent rows loses data the backend will never see: each evicted row is counted per
 * lane (persisted), and the technical condition `storage_evicting` (priority: see the technical
 * catalogue) is raised on the first eviction. It is cleared once the unsent bytes are back under CLEAR_BELOW x
 * maxBytes, i.e. when the uplink has drained the backlog (hysteresis, so it does not flap).
 */
import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { Logger } from '../core/log.js';
import type { Lane } from '../core/reading.js';
import type { TechnicalCondition } from '../alarms/types.js';
import type { Outbox } from './outbox.js';

export const LOW_WATER = 0.98;
export const CLEAR_BELOW = 0.9;
const MAX_CHUNK = 4096;

export interface EvictionCounts {
  /** Unsent rows evicted per lane, since the database was created. */
  evicted: [number, number, number];
  /** Delivered rows pruned early because of the budget (not data loss). */
  prunedForBudget: number;
}

interface LaneBytesRow { lane: number; bytes: number }

export class Budget {
  readonly counts: EvictionCounts;
  private evicting = false;
  private alarmOnlyOverBudget = false;
  private readonly pruneSentStmt: Database.Statement;
  private readonly evictStmt: Database.Statement;
  private readonly saveStmt: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    readonly maxBytes: number,
    private readonly log: Logger,
    private readonly onTechnical: (c: TechnicalCondition) => void,
  ) {
    this.pruneSentStmt = db.prepare(`DELETE FROM outbox WHERE seq IN (
      SELECT seq FROM outbox WHERE sent_at IS NOT NULL ORDER BY sent_at, seq LIMIT ?) RETURNING lane, bytes`);
    this.evictStmt = db.prepare(`DELETE FROM outbox WHERE seq IN (
      SELECT seq FROM outbox WHERE lane = ? AND sent_at IS NULL ORDER BY seq LIMIT ?) RETURNING lane, bytes`);
    this.saveStmt = db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
    const get = db.prepare('SELECT value FROM counters WHERE name = ?').pluck();
    const n = (name: string): number => Number(get.get(name) ?? 0);
    this.counts = { evicted: [n('evicted_0'), n('evicted_1'), n('evicted_2')], prunedForBudget: n('pruned_for_budget') };
  }

  /** True while `storage_evicting` is raised. */
  isEvicting(): boolean { return this.evicting; }

  /**
   * Applies the policy if over budget. Call inside the write transaction (it adds to it), then
   * call `afterCommit()` once the transaction has committed.
   */
  enforceInTx(): void {
    const total = this.outbox.totalBytes();
    if (total <= this.maxBytes) return;
    const target = Math.floor(this.maxBytes * LOW_WATER);
    const acc = this.outbox.acc;

    // 1. delivered rows
    let pruned = 0;
    while (this.outbox.totalBytes() > target && acc.sentRows > 0) {
      const rows = this.pruneSentStmt.all(this.chunkFor(this.outbox.totalBytes() - target, acc.sentBytes, acc.sentRows)) as LaneBytesRow[];
      if (rows.length === 0) break;
      for (const r of rows) { acc.sentRows--; acc.sentBytes -= r.bytes; }
      pruned += rows.length;
    }
    // 1b. delivered ranges (delivered.ts), oldest acknowledgement first
    while (this.outbox.totalBytes() > target && this.outbox.hasRanges()) {
      const n = this.outbox.pruneOldestRangeInTx(Number.POSITIVE_INFINITY, this.chunkFor(this.outbox.totalBytes() - target, acc.sentBytes, acc.sentRows));
      if (n < 0) break;
      pruned += n;
    }
    if (pruned) { this.counts.prunedForBudget += pruned; this.saveStmt.run('pruned_for_budget', this.counts.prunedForBudget); }

    // 2./3. unsent rows, highest lane first, oldest first; never lane 0
    for (const lane of [2, 1] as const) {
      let evicted = 0;
      while (this.outbox.totalBytes() > target && acc.unsentRows[lane] > 0) {
        const need = this.outbox.totalBytes() - target;
        const rows = this.evictStmt.all(lane, this.chunkFor(need, acc.unsentBytes[lane], acc.unsentRows[lane])) as LaneBytesRow[];
        if (rows.length === 0) break;
        this.outbox.removedUnsent();
        for (const r of rows) { acc.unsentRows[lane]--; acc.unsentBytes[lane] -= r.bytes; }
        evicted += rows.length;
      }
      if (evicted) this.recordEviction(lane, evicted);
    }

    const over = this.outbox.totalBytes() > this.maxBytes;
    if (over && !this.alarmOnlyOverBudget) {
      this.log.warn({ bytes: this.outbox.totalBytes(), maxBytes: this.maxBytes }, 'alarm events alone exceed the storage budget; they are kept');
    }
    this.alarmOnlyOverBudget = over;
  }

  private recordEviction(lane: Lane, rows: number): void {
    this.counts.evicted[lane] += rows;
    this.saveStmt.run(`evicted_${lane}`, this.counts.evicted[lane]);
    if (!this.evicting) {
      this.evicting = true;
      this.pendingRaise = true;
    }
  }

  private pendingRaise = false;

  /** Reports state changes; call after the transaction that ran enforceInTx committed. */
  afterCommit(): void {
    if (this.pendingRaise) {
      this.pendingRaise = false;
      const [, e1, e2] = this.counts.evicted;
      this.log.error({ maxBytes: this.maxBytes, evictedLane1: e1, evictedLane2: e2 }, 'storage budget exceeded: evicting unsent readings');
      this.onTechnical({ code: 'storage_evicting', active: true,
        text: 'Storage budget full: oldest unsent readings are being discarded (alarm events kept)' });
    }
    this.maybeClear();
  }

  /** Clears `storage_evicting` once the backlog is drained below CLEAR_BELOW x maxBytes. */
  maybeClear(): void {
    if (!this.evicting || this.pendingRaise) return;
    const u = this.outbox.acc.unsentBytes;
    if (u[0] + u[1] + u[2] > this.maxBytes * CLEAR_BELOW) return;
    this.evicting = false;
    this.log.info({ evicted: this.counts.evicted }, 'storage back under budget: eviction stopped');
    this.onTechnical({ code: 'storage_evicting', active: false, text: 'Storage back under budget' });
  }

  /** Rows to take in one step: enough on average to free `need` bytes, bounded. */
  private chunkFor(need: number, bytes: number, rows: number): number {
    const avg = rows > 0 ? Math.max(1, bytes / rows) : 1;
    return Math.max(1, Math.min(MAX_CHUNK, Math.ceil(need / avg)));
  }
}
