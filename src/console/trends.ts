import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The periods a device page offers, with the width of one chart point. */
export const TREND_RANGES = {
  '1h': { spanMs: 3_600_000, bucketMs: 10_000 },
  '24h': { spanMs: 86_400_000, bucketMs: 120_000 },
  '7d': { spanMs: 7 * 86_400_000, bucketMs: 900_000 },
} as const;
export type TrendRange = keyof typeof TREND_RANGES;

/** Stored rows one query reads at most (7 days of a 1 Hz oximeter with two metrics ≈ 1.2 M). */
export const TREND_MAX_ROWS = 2_000_000;
/** Metrics of one device in one answer at most. */
export const TREND_MAX_METRICS = 16;
/** Queries running at once at most; more are refused with 503 (the page retries). */
export const TREND_MAX_CONCURRENT = 2;
/** A query that takes longer is abandoned (its worker terminated). */
export const TREND_TIMEOUT_MS = 20_000;

export interface TrendSeries {
  unit: string;
  /** Bucket start, seconds since the epoch (uPlot's x). */
  t: number[];
  avg: number[];
  min: number[];
  max: number[];
  n: number;
}

export type TrendResult = { ok: true; from: number; to: number; bucketMs: number; metrics: Record<string, TrendSeries>; truncated: boolean } | { ok: false; status: number; error: string };

/**
 * Readings of one device over a period, averaged per bucket, read from the store's file by a
 * worker thread with its own read-only connection (WAL lets it read while the hub writes): a
 * query over days of readings takes seconds on a Pi and must never run on the alarm loop.
 * Measurement time (`t`) places a point; stored rows are selected by receive time, a day wider
 * (a CGM's backfill arrives later than it was measured). The worker is CommonJS passed as text.
 */
const WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const Database = require(w.module);
let db;
try {
  db = new Database(w.path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 2000');
  const stmt = db.prepare(
    "SELECT json_extract(payload, '$.metric') AS m, json_extract(payload, '$.unit') AS u, " +
    "CAST(unixepoch(json_extract(payload, '$.t'), 'subsec') * 1000 AS INTEGER) AS t, json_extract(payload, '$.value') AS v " +
    "FROM outbox WHERE type = 0 AND lane = 1 AND device = ? AND rx >= ? ORDER BY seq LIMIT ?").raw(true);
  const out = {};
  let rows = 0, metrics = 0;
  for (const [m, u, t, v] of stmt.iterate(w.device, w.from - 86400000, w.maxRows + 1)) {
    rows++;
    if (rows > w.maxRows) break;
    if (typeof m !== 'string' || typeof v !== 'number' || typeof t !== 'number' || t < w.from || t > w.to) continue;
    let s = out[m];
    if (!s) {
      if (metrics >= w.maxMetrics) continue;
      metrics++;
      s = out[m] = { unit: String(u), b: new Map(), n: 0 };
    }
    s.n++;
    const k = Math.floor(t / w.bucketMs);
    const b = s.b.get(k);
    if (b) { b.sum += v; b.c++; if (v < b.min) b.min = v; if (v > b.max) b.max = v; }
    else s.b.set(k, { sum: v, c: 1, min: v, max: v });
  }
  const metricsOut = {};
  for (const [m, s] of Object.entries(out)) {
    const keys = [...s.b.keys()].sort((a, b) => a - b);
    const r = { unit: s.unit, t: [], avg: [], min: [], max: [], n: s.n };
    for (const k of keys) {
      const b = s.b.get(k);
      r.t.push(k * w.bucketMs / 1000); r.avg.push(Math.round(b.sum / b.c * 100) / 100); r.min.push(b.min); r.max.push(b.max);
    }
    metricsOut[m] = r;
  }
  parentPort.postMessage({ metrics: metricsOut, truncated: rows > w.maxRows });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');

export class TrendQueries {
  private running = 0;

  constructor(private readonly dbPath: string, private readonly maxRows = TREND_MAX_ROWS) {}

  async query(device: string, range: TrendRange, now: number): Promise<TrendResult> {
    if (this.dbPath === ':memory:') return { ok: false, status: 404, error: 'the store is in memory: no trends' };
    if (this.running >= TREND_MAX_CONCURRENT) return { ok: false, status: 503, error: 'busy: too many trend queries at once' };
    const { spanMs, bucketMs } = TREND_RANGES[range];
    const from = now - spanMs;
    this.running++;
    try {
      const r = await runWorker({ path: this.dbPath, module: sqliteModule, device, from, to: now, bucketMs, maxRows: this.maxRows, maxMetrics: TREND_MAX_METRICS });
      if ('error' in r) return { ok: false, status: 500, error: r.error };
      return { ok: true, from, to: now, bucketMs, metrics: r.metrics, truncated: r.truncated };
    } finally {
      this.running--;
    }
  }
}

type WorkerAnswer = { metrics: Record<string, TrendSeries>; truncated: boolean } | { error: string };

function runWorker(data: Record<string, unknown>): Promise<WorkerAnswer> {
  return new Promise((resolve) => {
    const w = new Worker(WORKER, { eval: true, workerData: data });
    let settled = false;
    const done = (a: WorkerAnswer): void => { if (!settled) { settled = true; clearTimeout(timer); resolve(a); } };
    const timer = setTimeout(() => { done({ error: `trend query took longer than ${TREND_TIMEOUT_MS / 1000} s` }); void w.terminate(); }, TREND_TIMEOUT_MS);
    w.once('message', (m: WorkerAnswer) => done(m));
    w.once('error', (err) => done({ error: err.message }));
    w.once('exit', (code) => done({ error: `trend worker exited with code ${code}` }));
  });
}
