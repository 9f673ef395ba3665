import type { Db } from './db.js';
import type { Logger } from '../core/log.js';
import { ErrorCode, HubError } from '../core/errors.js';
import { uidValue } from './uid.js';

/**
 * Versioned schema. `PRAGMA user_version` holds the number of migrations applied; each entry
 * below is one small step, applied in order inside its own transaction together with the
 * version bump. Never edit a released step: append a new one.
 */
export type Migration = (db: Db) => void;

export const migrations: readonly Migration[] = [
  // 1: outbox (every reading and alarm event, sent or not), alarm history, key/value state.
  (db) => {
    db.exec(`
      CREATE TABLE outbox (
        seq     INTEGER PRIMARY KEY,      -- insertion sequence, the drain order within a lane
        uid     TEXT    NOT NULL UNIQUE,  -- reading id or alarm event id: a second insert is a no-op
        lane    INTEGER NOT NULL,         -- 0 alarm events, 1 clinical readings, 2 high-rate
        type    INTEGER NOT NULL,         -- 0 reading, 1 alarm event
        device  TEXT,
        rx      INTEGER NOT NULL,         -- wall ms when the hub received it
        bytes   INTEGER NOT NULL,         -- accounted bytes of this row (budget)
        sent_at INTEGER,                  -- wall ms of the PUBACK; NULL while unsent
        payload TEXT    NOT NULL          -- ReadingJson / AlarmEvent exactly as published
      );
      CREATE INDEX outbox_unsent ON outbox(lane, seq) WHERE sent_at IS NULL;
      CREATE INDEX outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
      CREATE TABLE alarm_history (
        seq     INTEGER PRIMARY KEY,
        id      TEXT NOT NULL UNIQUE,
        t       INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX alarm_history_t ON alarm_history(t);
      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
  // 2: the uniqueness of ids moves from `uid` to a compact key `uk` (see uid.ts): 16 bytes for
  // a canonical id, the id text otherwise. `uid` stays the id as text for readers of the file.
  // A rebuild, because a column's UNIQUE constraint cannot be dropped in place.
  (db) => {
    db.function('carehub_uid', { deterministic: true }, (v: unknown) => uidValue(String(v)));
    db.exec(`
      CREATE TABLE outbox_v2 (
        seq     INTEGER PRIMARY KEY,
        uid     TEXT    NOT NULL,         -- reading id or alarm event id, as published
        uk      BLOB    NOT NULL UNIQUE,  -- uniqueness key of uid: a second insert is a no-op
        lane    INTEGER NOT NULL,
        type    INTEGER NOT NULL,
        device  TEXT,
        rx      INTEGER NOT NULL,
        bytes   INTEGER NOT NULL,
        sent_at INTEGER,
        payload TEXT    NOT NULL
      );
      INSERT INTO outbox_v2 (seq, uid, uk, lane, type, device, rx, bytes, sent_at, payload)
        SELECT seq, uid, carehub_uid(uid), lane, type, device, rx, bytes, sent_at, payload FROM outbox ORDER BY seq;
      DROP TABLE outbox;
      ALTER TABLE outbox_v2 RENAME TO outbox;
      CREATE INDEX outbox_unsent ON outbox(lane, seq) WHERE sent_at IS NULL;
      CREATE INDEX outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
    `);
  },
  // 3: delivery by range (see delivered.ts): every row of `lane` with seq in [from_seq, to_seq]
  // is delivered; the rows themselves are not rewritten.
  (db) => {
    db.exec(`
      CREATE TABLE delivered (
        lane     INTEGER NOT NULL,
        from_seq INTEGER NOT NULL,
        to_seq   INTEGER NOT NULL,
        at       INTEGER NOT NULL,  -- wall ms of the latest acknowledgement in the range
        PRIMARY KEY (lane, from_seq)
      ) WITHOUT ROWID;
    `);
  },
  // 4: the unsent index carries `bytes`, so counting the rows and bytes of a delivered range
  // (every acknowledgement) and the open-time accounting read the index alone, not the payload
  // pages (a second pass over every drained row before, and 16 MiB of page cache filled with them).
  // `sent_at` is always NULL in this partial index, but SQLite 3.53 treats the index as covering
  // only when the column is in it (EXPLAIN QUERY PLAN); it costs one header byte per entry.
  (db) => {
    db.exec(`
      DROP INDEX outbox_unsent;
      CREATE INDEX outbox_unsent ON outbox(lane, seq, bytes, sent_at) WHERE sent_at IS NULL;
    `);
  },
];

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Brings the file up to the latest version. Returns the versions applied (empty when current). */
export function migrate(db: Db, log: Logger, steps: readonly Migration[] = migrations): number[] {
  const current = schemaVersion(db);
  if (current > steps.length) {
    throw new HubError(ErrorCode.StoreOpen,
      `database schema version ${current} is newer than this carehub (knows ${steps.length}); refusing to downgrade`,
      { current, known: steps.length });
  }
  const applied: number[] = [];
  for (let v = current; v < steps.length; v++) {
    const step = steps[v]!;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
    applied.push(v + 1);
  }
  if (applied.length) log.info({ from: current, to: steps.length }, 'database schema migrated');
  return applied;
}
