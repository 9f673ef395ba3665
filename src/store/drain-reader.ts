import Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { BatchWrap } from './outbox-types.js';

/** Page cache of the drain reader's connection, KiB: it reads each page once, in order. */
export const READER_CACHE_KIB = 512;

/**
 * One readings batch built whole inside SQLite, envelope included: one flat string per batch
 * instead of a string and an object per row (and no rope of prefix + payloads + suffix for the
 * socket write to flatten into a second copy). A string, not a BLOB: mqtt.js deep-copies a Buffer
 * payload into its outgoing store on every QoS 1 publish, and those dead copies wait outside the
 * V8 heap for a collection that V8 schedules by its 64 MB external-memory allowance (measured:
 * 25-66 MB of them at the peak of a 1M-row drain); a string is kept by reference and its garbage
 * is bounded by the old-space limit of the unit (systemd/carehub.service).
 *
 * The batch is the unsent rows of the lane from `after` up to its `max`-th row: that seq is found
 * first on the covering unsent index alone (a scalar subquery, run once per statement), then one
 * pass over the same index range joins the payloads. One statement, so one snapshot. Measured
 * against the earlier LIMITed co-routine feeding group_concat: ~20% less CPU per 1M rows (the
 * co-routine copied every row once more). The scan is in index (seq) order, so group_concat
 * joins in seq order; `group_concat(.. ORDER BY seq)` would sort again and costs 3.6x
 * (measured). test/store/delivered-ranges.test.ts compares the result with pending() on the
 * bundled SQLite and checks the plan. The rows' accounted bytes come along, so the
 * acknowledgement of this batch need not count them again (outbox.ts).
 */
export const JOINED_SQL = `SELECT max(seq), count(*), total(bytes), @prefix || group_concat(payload, ',') || @suffix FROM outbox
  WHERE lane = @lane AND sent_at IS NULL AND seq > @after AND seq <= coalesce(
    (SELECT seq FROM outbox WHERE lane = @lane AND sent_at IS NULL AND seq > @after AND seq < @upper ORDER BY seq LIMIT 1 OFFSET @max - 1),
    @upper - 1)`;

/** Rows and accounted bytes of the unsent rows of a lane in [from, to]: the covering index only. */
const LANE_AGG_SQL = 'SELECT count(*), total(bytes) FROM outbox WHERE lane = ? AND seq BETWEEN ? AND ? AND sent_at IS NULL';

/**
 * What a drain reads, through a second, read-only connection to the store's file with a small
 * page cache of its own: the batches, and the rows and bytes of each delivered range. A drain
 * reads every payload page and every unsent-index page once; through the store's connection
 * those pages would push the hot part of the id index out of its 16 MiB cache (the ingest's
 * working set) and keep up to 16 MiB resident in a hub that is only draining (measured: RSS
 * +12-16 MB over a 1M-row drain). WAL lets the reader see every committed row at the start of
 * each statement. An in-memory store (or a file the second connection cannot open) reads
 * through its own connection.
 */
export class DrainReader {
  private readonly conn: Db | null;
  private readonly joined: Database.Statement;
  private readonly laneAgg: Database.Statement;

  constructor(main: Db) {
    this.conn = main.memory ? null : openReader(main.name);
    const db = this.conn ?? main;
    this.joined = db.prepare(JOINED_SQL).raw();
    this.laneAgg = db.prepare(LANE_AGG_SQL).raw();
  }

  /**
   * [last seq, rows, accounted bytes, wrapped joined payloads] of up to `max` (>= 1) unsent rows
   * of `lane` in (after, upper).
   */
  read(lane: number, after: number, upper: number, max: number, wrap: BatchWrap): [number | null, number, number, string | null] {
    return this.joined.get({ prefix: wrap.prefix, suffix: wrap.suffix, lane, after, upper, max }) as [number | null, number, number, string | null];
  }

  /**
   * [rows, bytes] of the unsent rows of `lane` in [from, to], as last committed: only for a
   * caller that has not changed those rows in a transaction still open on the store's connection.
   */
  count(lane: number, from: number, to: number): [number, number] {
    return this.laneAgg.get(lane, from, to) as [number, number];
  }

  close(): void {
    this.conn?.close();
  }
}

function openReader(path: string): Db | null {
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma(`cache_size = -${READER_CACHE_KIB}`);
    db.pragma('mmap_size = 0'); // mapped pages would count towards the hub's RSS
    db.pragma('busy_timeout = 5000');
    return db;
  } catch {
    try { db?.close(); } catch { /* never opened */ }
    return null;
  }
}
