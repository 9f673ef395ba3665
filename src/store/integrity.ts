import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * `PRAGMA quick_check` on a running store, off the event loop: a worker thread opens its own
 * read-only connection to the file (WAL lets it read while the hub writes) and reports the first
 * lines. A check of a large file takes seconds; on the main thread it would stall the alarm loop.
 * The worker is plain CommonJS passed as text, so it runs the same from source, from dist and
 * under the test runner.
 */

export interface IntegrityResult {
  ok: boolean;
  /** 'ok', or the first problems quick_check reported, or why the check could not run. */
  detail: string;
  ms: number;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
let db;
try {
  db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const rows = db.pragma('quick_check(' + workerData.maxLines + ')');
  parentPort.postMessage({ lines: rows.map((r) => String(Object.values(r)[0])) });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e), code: String(e && e.code || '') });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');

/** Lines of `quick_check` on the file at `path`, or { error } when it could not be read. */
export function quickCheckFile(path: string, maxLines = 5): Promise<{ lines: string[] } | { error: string; code: string }> {
  return new Promise((resolve) => {
    const w = new Worker(WORKER, { eval: true, workerData: { path, module: sqliteModule, maxLines } });
    let settled = false;
    w.once('message', (m: { lines: string[] } | { error: string; code: string }) => { settled = true; resolve(m); });
    w.once('error', (err) => { if (!settled) { settled = true; resolve({ error: err.message, code: '' }); } });
    w.once('exit', (code) => { if (!settled) { settled = true; resolve({ error: `integrity worker exited with code ${code}`, code: '' }); } });
  });
}

/** Interprets quick_check lines: sound only when the single line is `ok`. */
export function verdict(lines: readonly string[]): string | null {
  if (lines.length === 1 && lines[0] === 'ok') return null;
  return lines.join('; ') || 'quick_check returned nothing';
}
