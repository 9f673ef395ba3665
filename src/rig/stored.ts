import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

/** One reading row of the hub's outbox, read after the hub has stopped. */
export interface StoredReading {
  uid: string;
  device: string;
  sent: boolean;
  /** Measurement time (wall ms) from the stored payload; the receive time when unreadable. */
  tMs: number;
}

/**
 * Every reading row durably stored in the hub's database (outbox type 0), in store order.
 * Evicted rows (disk budget) are gone from the table and so not counted as stored.
 */
export function readStoredReadings(dbPath: string): StoredReading[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows: unknown[] = db.prepare('SELECT uid, device, rx, payload, sent_at IS NOT NULL AS sent FROM outbox WHERE type = 0 ORDER BY seq').all();
    return rows.map((r) => {
      const row = r as { uid: string; device: string; rx: number; payload: string | Buffer; sent: number };
      return { uid: row.uid, device: row.device, sent: row.sent === 1, tMs: measuredAt(row.payload) ?? row.rx };
    });
  } finally {
    db.close();
  }
}

function measuredAt(payload: string | Buffer): number | null {
  try {
    const j: unknown = JSON.parse(payload.toString());
    if (j && typeof j === 'object' && 't' in j && typeof j.t === 'string') {
      const ms = Date.parse(j.t);
      return Number.isFinite(ms) ? ms : null;
    }
  } catch { /* not JSON */ }
  return null;
}
