import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { got, missing, type Part } from './bundle.js';
import { deliveredSql } from '../store/delivered.js';

/**
 * Store statistics and a quick_check read straight from the database file, read-only, for the
 * `carehub diag` command (a separate process; the service may be running). Counts and sizes
 * only: no payload column is ever selected.
 */
export function readStoreFile(path: string): { store: Part<Record<string, unknown>>; integrity: Part<{ ok: boolean; detail: string; ms: number }> } {
  if (!existsSync(path)) return { store: missing(`no database at ${path}`), integrity: missing(`no database at ${path}`) };
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
  } catch (err) {
    const why = `cannot open ${path}: ${(err as Error).message}`;
    return { store: missing(why), integrity: missing(why) };
  }
  try {
    const pragma = (p: string): unknown => db.pragma(p, { simple: true });
    let store: Part<Record<string, unknown>>;
    try {
      const lanes = db.prepare(`SELECT lane, NOT ${deliveredSql(db)} AS unsent, count(*) AS rows, coalesce(sum(bytes), 0) AS bytes, min(rx) AS oldestRx FROM outbox GROUP BY lane, unsent ORDER BY lane, unsent`).all();
      const history = db.prepare('SELECT count(*) AS n FROM alarm_history').get() as { n: number };
      store = got({
        path,
        schemaVersion: Number(pragma('user_version')),
        fileBytes: Number(pragma('page_count')) * Number(pragma('page_size')),
        freePages: Number(pragma('freelist_count')),
        journalMode: String(pragma('journal_mode')),
        outboxByLane: lanes,
        alarmHistoryRows: history.n,
      });
    } catch (err) {
      store = missing(`statistics failed: ${(err as Error).message}`);
    }
    const t0 = performance.now();
    let integrity: Part<{ ok: boolean; detail: string; ms: number }>;
    try {
      const rows = db.pragma('quick_check(20)', { simple: false }) as Array<Record<string, string>>;
      const detail = rows.map((r) => Object.values(r)[0]).join('; ');
      integrity = got({ ok: detail === 'ok', detail, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      integrity = missing(`quick_check failed: ${(err as Error).message}`);
    }
    return { store, integrity };
  } finally {
    db.close();
  }
}
