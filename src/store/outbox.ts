import type Database from 'better-sqlite3';
import { SCAN_CACHE_KIB, withCacheSize, type Db } from './db.js';
import { DrainReader } from './drain-reader.js';
import type { Lane, Reading } from '../core/reading.js';
import { PayloadWriter } from './payload.js';
import { UidEncoder } from './uid.js';
import type { AlarmEvent } from '../alarms/types.js';
import type { BatchWrap, DeliveredRange, JoinedRows, OutboxDepth, OutboxRow, OutboxSource } from './outbox-types.js';
import { anyAbove, copyRanges, find, insert, nextFrom, skip, uncovered, type LaneRanges, type Range } from './delivered.js';

/**
 * The outbox table: every reading and alarm event the hub keeps, unsent (`sent_at` NULL) or
 * delivered and retained. Row counts and accounted bytes are tracked in memory (initialised by
 * one scan at open), so the budget check after an insert is arithmetic, never a SUM().
 */

/** Accounted size of a row beyond its payload: uid, index entries, integers, page slack. */
export const ROW_OVERHEAD_BYTES = 96;

const TYPE_READING = 0;
const TYPE_ALARM = 1;

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

/** Counters the facade snapshots around a transaction and restores if it rolls back. */
export interface Accounting {
  unsentRows: [number, number, number];
  unsentBytes: [number, number, number];
  sentRows: number;
  sentBytes: number;
  nextSeq: number;
  /** Delivered ranges per lane (delivered.ts), as in the `delivered` table. */
  delivered: LaneRanges;
}

function copyAccounting(a: Accounting): Accounting {
  return { unsentRows: [...a.unsentRows], unsentBytes: [...a.unsentBytes], sentRows: a.sentRows, sentBytes: a.sentBytes, nextSeq: a.nextSeq, delivered: copyRanges(a.delivered) };
}

const NO_WRAP: BatchWrap = { prefix: '', suffix: '' };

/** Removal marks are unique in the process, so a mark never matches another Outbox's. */
let marks = 0;

/** Rows deleted from one delivered range at a time (a range may span a million rows). */
export const PRUNE_RANGE_CHUNK = 20_000;

export class Outbox implements OutboxSource {
  acc: Accounting;
  /** Duplicate ids ignored since open. */
  duplicates = 0;
  /**
   * Changes whenever unsent rows leave the outbox other than by being recorded in a delivered
   * range (evicted, deleted or marked by an acknowledgement): the ReadCount of a batch read
   * before that is not trusted by its acknowledgement (outbox-types.ts).
   */
  private mark = ++marks;
  private readonly insertStmt: Database.Statement;
  private readonly pendingStmt: Database.Statement;
  private readonly ackUpdateStmt: Database.Statement;
  private readonly ackDeleteStmt: Database.Statement;
  private readonly headStmt: Database.Statement;
  private readonly seqHwStmt: Database.Statement;
  private readonly ackRangeStmt: Database.Statement;
  private readonly ackTx: (seqs: readonly number[]) => number;
  private readonly laneAggStmt: Database.Statement;
  private readonly laneDeleteStmt: Database.Statement;
  private readonly rangeUpsertStmt: Database.Statement;
  private readonly rangeDeleteStmt: Database.Statement;
  private readonly rangePruneStmt: Database.Statement;
  private readonly headAfterStmt: Database.Statement;
  private readonly reader: DrainReader;
  private readonly ackRangesTx: (ranges: readonly DeliveredRange[]) => number;
  private readonly uids = new UidEncoder();
  private readonly payloads = new PayloadWriter();

  constructor(private readonly db: Db, private readonly now: () => number, private readonly retainSentMs: number) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO outbox (seq, uid, uk, lane, type, device, rx, bytes, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    // Raw rows (arrays): the drain reads a million of these, and arrays are cheaper to build.
    this.pendingStmt = db.prepare('SELECT seq, type, device, payload FROM outbox WHERE lane = ? AND sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?').raw(true);
    this.ackUpdateStmt = db.prepare('UPDATE outbox SET sent_at = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL');
    this.ackDeleteStmt = db.prepare('DELETE FROM outbox WHERE seq BETWEEN ? AND ? AND sent_at IS NULL');
    // what an ack by seqs is about to mark: per lane, rows and accounted bytes (rowid range scan)
    this.ackRangeStmt = db.prepare('SELECT lane, count(*) AS n, total(bytes) AS b FROM outbox WHERE seq BETWEEN ? AND ? AND sent_at IS NULL GROUP BY lane').raw();
    this.headStmt = db.prepare('SELECT rx FROM outbox WHERE lane = ? AND sent_at IS NULL ORDER BY seq LIMIT 1').pluck();
    // rows and bytes of a range of one lane: from the unsent index alone (migration 4)
    this.laneAggStmt = db.prepare('SELECT count(*), total(bytes) FROM outbox WHERE lane = ? AND seq BETWEEN ? AND ? AND sent_at IS NULL').raw();
    this.laneDeleteStmt = db.prepare('DELETE FROM outbox WHERE lane = ? AND seq BETWEEN ? AND ? AND sent_at IS NULL');
    this.rangeUpsertStmt = db.prepare('INSERT OR REPLACE INTO delivered (lane, from_seq, to_seq, at) VALUES (?, ?, ?, ?)');
    this.rangeDeleteStmt = db.prepare('DELETE FROM delivered WHERE lane = ? AND from_seq = ?');
    this.rangePruneStmt = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE lane = ? AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?) RETURNING bytes').pluck();
    this.headAfterStmt = db.prepare('SELECT seq, rx FROM outbox WHERE lane = ? AND sent_at IS NULL AND seq > ? ORDER BY seq LIMIT 1').raw();
    this.seqHwStmt = db.prepare("INSERT INTO counters (name, value) VALUES ('seq_hw', ?) ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)");
    this.acc = withCacheSize(db, SCAN_CACHE_KIB, () => this.scan());
    this.reader = new DrainReader(db);
    this.ackTx = db.transaction((seqs: readonly number[]) => this.ackInTx(seqs));
    this.ackRangesTx = db.transaction((ranges: readonly DeliveredRange[]) => this.ackRangesInTx(ranges));
  }

  private scan(): Accounting {
    const acc: Accounting = { unsentRows: [0, 0, 0], unsentBytes: [0, 0, 0], sentRows: 0, sentBytes: 0, nextSeq: 1, delivered: [[], [], []] };
    // Unsent rows from the covering unsent index (migration 4), in its (lane, ...) order: no
    // sorter for the GROUP BY (one holding a row per stored row cost ~45 MB of RSS at open with
    // 1M rows) and no payload page read. Rows with sent_at set (acked by seq before ranges) are
    // few and found through their own index.
    const unsent = this.db.prepare('SELECT lane, count(*), total(bytes) FROM outbox WHERE sent_at IS NULL GROUP BY lane').raw().all() as Array<[number, number, number]>;
    for (const [lane, n, b] of unsent) {
      if (lane !== 0 && lane !== 1 && lane !== 2) continue;
      acc.unsentRows[lane] = n;
      acc.unsentBytes[lane] = b;
    }
    const [sentRows, sentBytes] = this.db.prepare('SELECT count(*), total(bytes) FROM outbox WHERE sent_at IS NOT NULL').raw().get() as [number, number];
    acc.sentRows = sentRows;
    acc.sentBytes = sentBytes;
    // rows inside delivered ranges still have sent_at NULL: they count as delivered
    const ranges = this.db.prepare('SELECT lane, from_seq, to_seq, at FROM delivered ORDER BY lane, from_seq').raw().all() as Array<[number, number, number, number]>;
    const agg = this.db.prepare('SELECT count(*), total(bytes) FROM outbox WHERE lane = ? AND seq BETWEEN ? AND ? AND sent_at IS NULL').raw();
    for (const [lane, from, to, when] of ranges) {
      if (lane !== 0 && lane !== 1 && lane !== 2) continue;
      acc.delivered[lane].push({ from, to, at: when });
      const [n, b] = agg.get(lane, from, to) as [number, number];
      acc.unsentRows[lane] -= n;
      acc.unsentBytes[lane] -= b;
      acc.sentRows += n;
      acc.sentBytes += b;
    }
    const maxSeq = Number(this.db.prepare('SELECT coalesce(max(seq), 0) FROM outbox').pluck().get());
    const hw = Number(this.db.prepare("SELECT coalesce(max(value), 0) FROM counters WHERE name = 'seq_hw'").pluck().get());
    acc.nextSeq = Math.max(maxSeq, hw) + 1;
    return acc;
  }

  /** Closes the drain reader's connection (before the store's own). */
  close(): void { this.reader.close(); }

  snapshot(): Accounting { return copyAccounting(this.acc); }
  restore(a: Accounting): void { this.acc = a; }

  /** Total accounted bytes: unsent rows of every lane plus delivered rows still retained. */
  totalBytes(): number {
    const u = this.acc.unsentBytes;
    return u[0] + u[1] + u[2] + this.acc.sentBytes;
  }

  /** Inserts readings; call inside a transaction. Same id twice = one row, counted duplicate. */
  insertReadingsInTx(readings: readonly Reading[]): InsertResult {
    const stmt = this.insertStmt;
    const acc = this.acc;
    let inserted = 0;
    const uids = this.uids;
    const payloads = this.payloads;
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const uk = uids.key(r.id);
      const payload = payloads.write(r, typeof uk !== 'string');
      const bytes = payload.length + ROW_OVERHEAD_BYTES;
      const lane = r.lane;
      if (stmt.run(acc.nextSeq, r.id, uk, lane, TYPE_READING, r.device, r.rx, bytes, payload).changes === 1) {
        acc.nextSeq++;
        acc.unsentRows[lane]++;
        acc.unsentBytes[lane] += bytes;
        inserted++;
      }
    }
    const duplicates = readings.length - inserted;
    this.duplicates += duplicates;
    return { inserted, duplicates };
  }

  /** Inserts one alarm event into lane 0; call inside a transaction. False when the id exists. */
  insertAlarmInTx(e: AlarmEvent, payload: string, rx: number): boolean {
    const bytes = payload.length + ROW_OVERHEAD_BYTES;
    const ok = this.insertStmt.run(this.acc.nextSeq, e.id, this.uids.key(e.id), 0, TYPE_ALARM, e.device, rx, bytes, payload).changes === 1;
    if (ok) {
      this.acc.nextSeq++;
      this.acc.unsentRows[0]++;
      this.acc.unsentBytes[0] += bytes;
    } else {
      this.duplicates++;
    }
    return ok;
  }

  /** Persists the sequence high-water mark so seqs never repeat across restarts. */
  saveSeqInTx(): void {
    this.seqHwStmt.run(this.acc.nextSeq - 1);
  }

  /** Unsent rows of `lane` after `afterSeq`: rows in delivered ranges are skipped. */
  pending(lane: Lane, afterSeq: number, max: number): OutboxRow[] {
    // nothing unsent in the lane (exact counters): no query; the drain asks for alarm events
    // before every readings batch
    if (max <= 0 || this.acc.unsentRows[lane] === 0) return [];
    const ranges = this.acc.delivered[lane];
    let after = skip(ranges, afterSeq);
    for (;;) {
      const raw = this.pendingStmt.all(lane, after, max) as Array<[number, number, string | null, string]>;
      const filter = anyAbove(ranges, after);
      const out: OutboxRow[] = [];
      for (let i = 0; i < raw.length; i++) {
        const r = raw[i]!;
        if (filter && find(ranges, r[0]) >= 0) continue;
        out.push({ seq: r[0], lane, type: r[1] === TYPE_ALARM ? 'alarm' : 'reading', device: r[2], payload: r[3] });
      }
      const last = raw[raw.length - 1];
      if (out.length > 0 || raw.length < max || !last) return out;
      after = skip(ranges, last[0]); // a whole page of delivered rows: read on
    }
  }

  /** pending() joined in SQLite (outbox-types.ts): stops short of the next delivered range. */
  pendingJoined(lane: Lane, afterSeq: number, max: number, wrap: BatchWrap = NO_WRAP): JoinedRows | null {
    if (max <= 0 || this.acc.unsentRows[lane] === 0) return null;
    const ranges = this.acc.delivered[lane];
    let after = skip(ranges, afterSeq);
    for (;;) {
      const upper = nextFrom(ranges, after);
      const [last, rows, bytes, body] = this.reader.read(lane, after, upper ?? Number.MAX_SAFE_INTEGER, max, wrap);
      if (rows > 0 && last !== null && body) return { from: after + 1, lastSeq: last, rows, body, read: { rows, bytes, mark: this.mark } };
      if (upper === null) return null;
      after = skip(ranges, upper - 1); // nothing unsent before that range: past it
    }
  }

  /**
   * Marks rows delivered by range: every unsent row of `lane` with seq in [from, to]. With
   * retention the range is recorded (one small row, delivered.ts); without, the rows are deleted.
   * One transaction for all ranges. Returns the rows newly marked.
   */
  ackRanges(ranges: readonly DeliveredRange[]): number {
    if (ranges.length === 0) return 0;
    const before = this.snapshot();
    try {
      return this.ackRangesTx(ranges);
    } catch (err) {
      this.restore(before);
      throw err;
    }
  }

  /** Unsent rows left the outbox other than into a delivered range (see `mark`). */
  removedUnsent(): void {
    this.mark = ++marks;
  }

  private ackRangesInTx(list: readonly DeliveredRange[]): number {
    const now = this.now();
    const del = this.retainSentMs <= 0;
    const acc = this.acc;
    let marked = 0;
    for (const { lane, from, to: asked, read } of list) {
      // never past the last stored seq: a later row must not start out as delivered
      const to = Math.min(asked, acc.nextSeq - 1);
      if ((lane !== 0 && lane !== 1 && lane !== 2) || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) continue;
      const ranges = acc.delivered[lane];
      let rows = 0;
      let bytes = 0;
      const parts = uncovered(ranges, from, to);
      // the batch read counted exactly this range, nothing of it delivered since: no count
      const counted = read && read.mark === this.mark && to === asked && parts.length === 1 && parts[0]![0] === from && parts[0]![1] === to ? read : null;
      for (const [f, t] of parts) {
        // Recording ranges writes no outbox row in this transaction, so the drain reader's
        // committed view is this one (and keeps the index pages out of the store's cache);
        // deleting does, and an earlier range of the same call may have deleted some of these.
        const [n, b] = counted ? [counted.rows, counted.bytes]
          : del ? this.laneAggStmt.get(lane, f, t) as [number, number] : this.reader.count(lane, f, t);
        if (n === 0) continue;
        if (del) {
          const changes = this.laneDeleteStmt.run(lane, f, t).changes;
          this.removedUnsent();
          if (changes !== n) throw new Error(`ack of lane ${lane} seqs ${f}..${t}: deleted ${changes} rows, counted ${n}`);
        }
        rows += n;
        bytes += b;
      }
      if (!del) for (const [f, t] of parts) this.recordRange(lane, f, t, now);
      acc.unsentRows[lane] -= rows;
      acc.unsentBytes[lane] -= bytes;
      if (!del) { acc.sentRows += rows; acc.sentBytes += bytes; }
      marked += rows;
    }
    return marked;
  }

  private recordRange(lane: Lane, from: number, to: number, at: number): void {
    const { merged, replaced } = insert(this.acc.delivered[lane], from, to, at);
    for (const r of replaced) if (r.from !== merged.from) this.rangeDeleteStmt.run(lane, r.from);
    this.rangeUpsertStmt.run(lane, merged.from, merged.to, merged.at);
  }

  /** True while delivered ranges hold rows (pruned by range, oldest delivery first). */
  hasRanges(): boolean {
    const d = this.acc.delivered;
    return d[0].length + d[1].length + d[2].length > 0;
  }

  /**
   * Deletes up to `limit` rows of the delivered range acknowledged longest ago (if it was
   * acknowledged before `cutoff`); call inside a transaction. A range left empty is dropped.
   * Returns the rows deleted, or -1 when no range qualifies.
   */
  pruneOldestRangeInTx(cutoff: number, limit: number): number {
    let oldest: { lane: Lane; r: Range } | null = null;
    for (const lane of [0, 1, 2] as const) {
      for (const r of this.acc.delivered[lane]) if (r.at < cutoff && (!oldest || r.at < oldest.r.at)) oldest = { lane, r };
    }
    if (!oldest) return -1;
    const { lane, r } = oldest;
    const bytes = this.rangePruneStmt.all(lane, r.from, r.to, limit) as number[];
    for (const b of bytes) { this.acc.sentRows--; this.acc.sentBytes -= b; }
    if (bytes.length < limit) {
      this.rangeDeleteStmt.run(lane, r.from);
      const list = this.acc.delivered[lane];
      list.splice(list.indexOf(r), 1);
    }
    return bytes.length;
  }

  /**
   * Marks rows delivered (deleted, or `sent_at` set when retained). Seqs that are unknown,
   * already acked or evicted meanwhile are ignored. Set-based: the seqs are sorted into runs of
   * consecutive numbers and each run is one ranged statement plus one aggregate for the
   * counters, all in one transaction. Returns the rows actually marked.
   */
  ack(seqs: readonly number[]): number {
    if (seqs.length === 0) return 0;
    const before = this.snapshot();
    try {
      return this.ackTx(seqs);
    } catch (err) {
      this.restore(before);
      throw err;
    }
  }

  private ackInTx(seqs: readonly number[]): number {
    const now = this.now();
    const del = this.retainSentMs <= 0;
    const acc = this.acc;
    let marked = 0;
    for (const [from, to] of seqRuns(seqs)) {
      const lanes = this.ackRangeStmt.all(from, to) as Array<[number, number, number]>;
      if (lanes.length === 0) continue; // all already acked, evicted, or never stored
      const changes = del ? this.ackDeleteStmt.run(from, to).changes : this.ackUpdateStmt.run(now, from, to).changes;
      this.removedUnsent();
      let rows = 0;
      for (const [lane, n, b] of lanes) {
        if (lane !== 0 && lane !== 1 && lane !== 2) continue;
        rows += n;
        acc.unsentRows[lane] -= n;
        acc.unsentBytes[lane] -= b;
        if (!del) { acc.sentRows += n; acc.sentBytes += b; }
      }
      // same transaction, same predicate: anything else means the counters would drift
      if (changes !== rows) throw new Error(`ack of seqs ${from}..${to}: marked ${changes} rows, counted ${rows}`);
      marked += rows;
    }
    return marked;
  }

  /** rx of the first unsent row of `lane` outside the delivered ranges. */
  private headRx(lane: Lane): number | undefined {
    const ranges = this.acc.delivered[lane];
    if (ranges.length === 0) return this.headStmt.get(lane) as number | undefined;
    let after = skip(ranges, 0);
    for (;;) {
      const row = this.headAfterStmt.get(lane, after) as [number, number] | undefined;
      if (!row) return undefined;
      if (find(ranges, row[0]) < 0) return row[1];
      after = skip(ranges, row[0]);
    }
  }

  depth(): OutboxDepth {
    const u = this.acc.unsentRows;
    let oldestRx: number | null = null;
    for (const lane of [0, 1, 2] as const) {
      if (u[lane] === 0) continue;
      const rx = this.headRx(lane);
      if (rx !== undefined && (oldestRx === null || rx < oldestRx)) oldestRx = rx;
    }
    return { total: u[0] + u[1] + u[2], byLane: [u[0], u[1], u[2]], oldestRx };
  }
}

/**
 * Runs of consecutive integers in `seqs` (any order, duplicates allowed), as inclusive
 * [from, to] pairs in ascending order. Non-integer entries are ignored.
 */
export function seqRuns(seqs: readonly number[]): Array<[number, number]> {
  let sorted = true;
  for (let i = 1; i < seqs.length; i++) if (!(seqs[i]! > seqs[i - 1]!)) { sorted = false; break; }
  const list = sorted ? seqs : Float64Array.from(seqs).sort();
  const runs: Array<[number, number]> = [];
  let from = Number.NaN;
  let to = Number.NaN;
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    if (!Number.isSafeInteger(s)) continue;
    if (s === to || s === to + 1) { to = s; continue; }
    if (!Number.isNaN(from)) runs.push([from, to]);
    from = s;
    to = s;
  }
  if (!Number.isNaN(from)) runs.push([from, to]);
  return runs;
}
