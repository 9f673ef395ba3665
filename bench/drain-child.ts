/**
 * The hub side of the drain benchmark (bench/drain.ts forks it): a Store and an Uplink in a
 * process of their own, so the RSS measured is the hub's, not the benchmark's. It runs compiled
 * on plain node with the node flags and environment of systemd/carehub.service (unit-runtime.ts).
 *
 * Messages from the parent (one at a time, each answered with one message):
 * - `drain`: open the store at `path` (delivered rows retained 72 h, as in production), start the
 *   uplink (the broker is up), report when the outbox is empty; the store is closed after.
 * - `ingest`: open a fresh store at `path` and store `n` readings through Store.submit (group
 *   commit, 1,000 readings per submission, 8 outstanding: as a busy pipeline does); the store
 *   stays open for `drain-open`.
 * - `drain-open`: drain the store `ingest` left open (the hub that ingested its own backlog).
 * - `exit`: leave (so that --cpu-prof writes its profile).
 * RSS is sampled every 25 ms from the start of the child; every report carries the peak so far.
 */
import { readFileSync } from 'node:fs';
import { configSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/core/log.js';
import { SystemClock } from '../src/core/system-clock.js';
import type { OutboxSource } from '../src/store/outbox-types.js';
import type { Store } from '../src/store/store.js';
import { Uplink } from '../src/uplink/uplink.js';
import { makeReadings, openBenchStore } from './store.js';

export const HUB = 'hub-bench';
export const BATCH = 500;
/** Batches in flight: the production default of `uplink.inflightBatches`. */
export const WINDOW = configSchema.shape.uplink.parse({ mqtt: { url: 'mqtt://127.0.0.1' } }).inflightBatches;
const RETAIN_HOURS = 72;

export type ChildRequest =
  | { op: 'drain'; path: string; url: string; v: 4 | 5 }
  | { op: 'ingest'; path: string; n: number }
  | { op: 'drain-open'; url: string; v: 4 | 5 }
  | { op: 'exit' };

export interface ChildReport {
  seconds: number;
  rows: number;
  /** Peak RSS since the last `resetPeak` (a drain request resets it, `drain-open` does not). */
  rssPeak: number;
  rssAfter: number;
  rssOpen: number;
  detail?: string;
}

const mb = (b: number): number => Math.round((b / 1024 ** 2) * 10) / 10;
const debug = Boolean(process.env.BENCH_DEBUG);

let rssPeak = process.memoryUsage.rss();
let peakDetail = process.memoryUsage();
let peakAt = 0;
let peakKinds = '';
let since = performance.now();
/** Anonymous / file-backed / shared resident memory (Linux), for BENCH_DEBUG. */
function rssKinds(): string {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    return ['RssAnon', 'RssFile', 'RssShmem'].map((k) => `${k} ${Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024)}`).join(' ');
  } catch { return ''; }
}
setInterval(() => {
  const r = process.memoryUsage.rss();
  if (r > rssPeak) {
    rssPeak = r;
    if (debug) { peakDetail = process.memoryUsage(); peakAt = performance.now() - since; peakKinds = rssKinds(); }
  }
  if (process.env.BENCH_DEBUG === '2') {
    const m = process.memoryUsage();
    console.error(`mem ${Math.round(performance.now() - since)} ms: rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} ${rssKinds()}`);
  }
}, 25).unref();

let openStore: Store | null = null;

/** The store's OutboxSource with the time spent in reads and acknowledgements counted. */
function timed(store: Store): { outbox: OutboxSource; times: { read: number; ack: number; acks: number } } {
  const times = { read: 0, ack: 0, acks: 0 };
  const t = <A extends unknown[], R>(fn: (...a: A) => R, key: 'read' | 'ack') => (...a: A): R => {
    const t0 = performance.now();
    try { return fn(...a); } finally { times[key] += performance.now() - t0; if (key === 'ack') times.acks++; }
  };
  const outbox: OutboxSource = {
    pending: t((l, a, m) => store.pending(l, a, m), 'read'),
    pendingJoined: t((l, a, m) => store.pendingJoined(l, a, m), 'read'),
    ack: t((s) => store.ack(s), 'ack'),
    ackRanges: t((r) => store.ackRanges(r), 'ack'),
    depth: () => store.depth(),
  };
  return { outbox, times };
}

async function drain(store: Store, url: string, v: 4 | 5): Promise<{ seconds: number; rows: number; detail: string }> {
  const total = store.depth().total;
  const { outbox, times } = timed(store);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const up = new Uplink({
    config: configSchema.shape.uplink.parse({ mqtt: { url, protocolVersion: v }, batchMaxReadings: BATCH, inflightBatches: WINDOW }),
    hubId: HUB, version: 'bench', outbox, log: silentLogger(), clock: new SystemClock(true),
  });
  const done = new Promise<void>((resolve) => { up.onIdle(() => { if (store.depth().total === 0) resolve(); }); });
  await up.start();
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const acked = up.stats().ackedRows;
  await up.stop();
  if (acked < total) throw new Error(`drain acked ${acked} of ${total}`);
  const m = peakDetail;
  const detail = `${total} rows ${seconds.toFixed(2)} s (read ${(times.read / 1000).toFixed(2)} s, ack ${(times.ack / 1000).toFixed(2)} s in ${times.acks} calls; `
    + `process CPU user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s); `
    + `at peak (${Math.round(peakAt)} ms; ${peakKinds} MB): heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} MB`;
  return { seconds, rows: total, detail };
}

async function ingest(path: string, n: number): Promise<{ seconds: number; rows: number }> {
  const store = openBenchStore(path, undefined, RETAIN_HOURS);
  openStore = store;
  const CHUNK = 1000;
  const OUTSTANDING = 8;
  let start = Date.UTC(2026, 10, 23, 10);
  let next = 0;
  let chunkNo = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const size = Math.min(CHUNK, n - next);
      next += size;
      const batch = makeReadings(size, 3, false, start);
      start = batch[batch.length - 1]!.t + 1000;
      const c = chunkNo++;
      for (const r of batch) r.id = `${r.id}.i${c}`;
      await store.submit(batch);
    }
  };
  await Promise.all(Array.from({ length: OUTSTANDING }, worker));
  const rows = store.depth().total;
  if (rows !== n) throw new Error(`ingest stored ${rows} of ${n}`);
  return { seconds: (performance.now() - t0) / 1000, rows };
}

/** Drains an open store (RSS from just after it opened to the end), then closes it. */
async function drainAndClose(store: Store, m: { url: string; v: 4 | 5 }): Promise<ChildReport> {
  const rssOpen = process.memoryUsage.rss();
  try {
    const r = await drain(store, m.url, m.v);
    return { ...r, rssPeak: Math.max(rssPeak, process.memoryUsage.rss()), rssAfter: process.memoryUsage.rss(), rssOpen };
  } finally {
    store.close();
  }
}

async function handle(m: ChildRequest): Promise<ChildReport | null> {
  switch (m.op) {
    case 'exit':
      return null;
    case 'drain': {
      rssPeak = process.memoryUsage.rss();
      since = performance.now();
      return drainAndClose(openBenchStore(m.path, undefined, RETAIN_HOURS), m);
    }
    case 'ingest': {
      const r = await ingest(m.path, m.n);
      return { ...r, rssPeak: Math.max(rssPeak, process.memoryUsage.rss()), rssAfter: process.memoryUsage.rss(), rssOpen: process.memoryUsage.rss() };
    }
    case 'drain-open': {
      const store = openStore;
      if (!store) throw new Error('drain-open without ingest');
      openStore = null;
      return drainAndClose(store, m);
    }
  }
}

if (process.send) {
  if (debug) console.error(`drain child: rss at start ${mb(process.memoryUsage.rss())} MB`);
  process.on('message', (m: ChildRequest) => {
    handle(m).then(
      (r) => { if (r) process.send?.(r); else process.exit(0); },
      (err: Error) => process.send?.({ error: err.message }),
    );
  });
}
