import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { deliveredSql } from '../store/delivered.js';

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
    const rows: unknown[] = db.prepare(`SELECT uid, device, rx, payload, ${deliveredSql(db)} AS sent FROM outbox WHERE type = 0 ORDER BY seq`).all();
    return rows.map((r) => {
      const row = r as { uid: string | Buffer; device: string; rx: number; payload: string | Buffer; sent: number };
      const p = payloadFields(row.payload);
      return { uid: p.id ?? uidText(row.uid), device: row.device, sent: row.sent === 1, tMs: p.tMs ?? row.rx };
    });
  } finally {
    db.close();
  }
}

/** The published id and measurement time from the stored payload (the payload is what was published). */
function payloadFields(payload: string | Buffer): { id: string | null; tMs: number | null } {
  try {
    const j: unknown = JSON.parse(payload.toString());
    if (j && typeof j === 'object') {
      const id = 'id' in j && typeof j.id === 'string' ? j.id : null;
      const ms = 't' in j && typeof j.t === 'string' ? Date.parse(j.t) : NaN;
      return { id, tMs: Number.isFinite(ms) ? ms : null };
    }
  } catch { /* not JSON */ }
  return { id: null, tMs: null };
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * The id of a `uid` column value: TEXT as is; a 16-byte BLOB (the store's compact form of a
 * canonical 26-character base32 id) re-encoded to its 26 characters.
 */
export function uidText(uid: string | Buffer): string {
  if (typeof uid === 'string') return uid;
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of uid) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31] ?? '';
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31] ?? '';
  return out;
}
