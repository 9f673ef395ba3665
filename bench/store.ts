/**
 * Store benchmarks.
 * - ingest: realistic Reading objects through Store.submit (group commit) into a fresh database,
 *   in batches of 1000 with several batches outstanding, as a busy pipeline would.
 * - raw: plain better-sqlite3 into the same table (same columns, same unique index on the same
 *   id key, same PRAGMAs), payloads and uids precomputed, one transaction per GROUP_ROWS rows (the store's default
 *   group-commit size): the ceiling.
 * Run alone: `node --import tsx bench/store.ts [dir]`.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Store } from '../src/store/store.js';
import { migrations } from '../src/store/migrations.js';
import { applyPragmas } from '../src/store/db.js';
import { ROW_OVERHEAD_BYTES } from '../src/store/outbox.js';
import { uidValue } from '../src/store/uid.js';
import { SystemClock } from '../src/core/system-clock.js';
import { silentLogger } from '../src/core/log.js';
import { readingId } from '../src/core/ids.js';
import { readingToJson, type Reading } from '../src/core/reading.js';
import { METRICS, type MetricSpec } from '../src/core/metrics/index.js';

const N = 500_000;
const BATCH = 1000;
const IN_FLIGHT = 8;
const GROUP_ROWS = 8192;

const SCALARS: MetricSpec[] = [...METRICS.values()].filter((m) => m.lane !== 2);

/** Realistic readings: each device reports its kind's scalar metrics once a second. */
export function makeReadings(n: number, devices = 3, hashIds = true, startMs = Date.UTC(2026, 10, 23, 10)): Reading[] {
  const kinds = ['oximeter', 'ventilator', 'cgm'] as const;
  const out: Reading[] = new Array<Reading>(n);
  let i = 0;
  for (let tick = 0; i < n; tick++) {
    for (let d = 0; d < devices && i < n; d++) {
      const kind = kinds[d % kinds.length]!;
      const device = `${kind.slice(0, 3)}-${d + 1}`;
      for (const m of SCALARS) {
        if (m.kind !== kind || i >= n) continue;
        const t = startMs + tick * 1000;
        const key = String(t);
        out[i++] = {
          id: hashIds ? readingId(device, m.name, key) : `${device}.${m.name}.${key}`,
          device, kind, metric: m.name, mdc: m.mdc,
          value: Math.round((m.min + ((tick * 7 + d) % 100) / 100 * (m.max - m.min)) * 10) / 10,
          unit: m.unit, t, rx: t + 120, clock: 'device', flags: [], lane: m.lane,
        };
      }
    }
  }
  return out;
}

export function openBenchStore(path: string, maxBytes = 8 * 1024 ** 3, retainSentHours = 0): Store {
  return Store.open({
    path, maxBytes, retainSentHours, log: silentLogger(), clock: new SystemClock(true),
    onTechnical: () => { /* not measured */ },
  });
}

/** Fills a store with `n` unsent readings from `devices` devices, fast (for the drain benchmark). */
export function fillForBench(store: Store, n: number, devices = 3): number {
  const CHUNK = 20_000;
  let inserted = 0;
  let start = Date.UTC(2026, 10, 23, 10);
  for (let done = 0; done < n; done += CHUNK) {
    const batch = makeReadings(Math.min(CHUNK, n - done), devices, false, start);
    // distinct ids across chunks: chunks never share a start time
    start = batch[batch.length - 1]!.t + 1000;
    inserted += store.insertReadings(batch).inserted;
  }
  return inserted;
}

async function ingest(path: string, readings: Reading[]): Promise<number> {
  const store = openBenchStore(path);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < readings.length) {
      const from = next;
      next += BATCH;
      await store.submit(readings.slice(from, from + BATCH));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const secs = (performance.now() - t0) / 1000;
  if (store.depth().total !== readings.length) throw new Error(`ingest stored ${store.depth().total} of ${readings.length}`);
  store.close();
  return readings.length / secs;
}

function raw(path: string, readings: Reading[]): number {
  const db = new Database(path);
  applyPragmas(db); // same WAL / synchronous=FULL / cache settings as the store
  for (const step of migrations) step(db); // the store's schema, uid index included
  const rows = readings.map((r, i) => {
    const payload = JSON.stringify(readingToJson(r));
    return [i + 1, r.id, uidValue(r.id), r.lane, 0, r.device, r.rx, payload.length + ROW_OVERHEAD_BYTES, payload] as const;
  });
  const stmt = db.prepare('INSERT OR IGNORE INTO outbox (seq, uid, uk, lane, type, device, rx, bytes, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) { const r = rows[i]!; stmt.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]); }
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += GROUP_ROWS) tx(i, Math.min(rows.length, i + GROUP_ROWS));
  const secs = (performance.now() - t0) / 1000;
  db.close();
  return rows.length / secs;
}

export async function benchStore(dir: string): Promise<{ ingest_readings_per_s: number; sqlite_raw_rows_per_s: number }> {
  const readings = makeReadings(N);
  const rawRate = raw(join(dir, 'bench-raw.db'), readings);
  const ingestRate = await ingest(join(dir, 'bench-ingest.db'), readings);
  return { ingest_readings_per_s: Math.round(ingestRate), sqlite_raw_rows_per_s: Math.round(rawRate) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'carehub-bench-'));
  const r = await benchStore(dir);
  console.log(JSON.stringify({ ...r, ratio: Math.round((r.ingest_readings_per_s / r.sqlite_raw_rows_per_s) * 100) / 100 }));
  if (!process.argv[2]) rmSync(dir, { recursive: true, force: true });
}
