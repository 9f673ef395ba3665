/**
 * Uplink drain benchmark: 1,000,000 buffered readings in a real SQLite store, drained by the
 * Uplink to a local mosquitto (QoS 1, no subscriber), timed from broker-up to the last PUBACK.
 *
 * The hub side (Store + Uplink) runs in a child process of its own so its RSS is the hub's, not
 * the benchmark's (filling 1M readings costs the filler 100+ MB of heap). The parent fills the
 * database between drains while the child has it closed; the child drains three times.
 * raw: plain mqtt.js QoS 1 publishing of the same batch payload strings (read from the same
 * store, joined the same way) with the same window of 64: the ceiling for the uplink.
 *
 * The child runs as production does: plain `node` on JavaScript compiled by tsc (the project's
 * tsconfig, as `npm run build`), here into `.tmp/bench-dist/` so a concurrent build of `dist/`
 * is not disturbed. The tsx loader alone costs the child ~30 MB of RSS that a production hub
 * does not have. If the compile produces no child file, the child runs under tsx and the
 * result says `drain_child: 'tsx'`.
 * Run alone: `node --import tsx bench/drain.ts [dir]`.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/core/log.js';
import { SystemClock } from '../src/core/system-clock.js';
import type { OutboxSource } from '../src/store/outbox-types.js';
import type { Store } from '../src/store/store.js';
import { Uplink } from '../src/uplink/uplink.js';
import { makeReadings, openBenchStore } from './store.js';

const N = 1_000_000;
/** Keep in step with ExecStart in systemd/carehub.service. */
const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=1'];
const HUB = 'hub-bench';
/** Batches in flight: the production default of `uplink.inflightBatches`. */
const WINDOW = configSchema.shape.uplink.parse({ mqtt: { url: 'mqtt://127.0.0.1' } }).inflightBatches;
const BATCH = 500;

export interface DrainBenchResult {
  drain_1m_seconds: number;
  drain_readings_per_s: number;
  mqtt_raw_readings_per_s: number;
  rss_peak_mb: number;
  rss_growth_mb: number;
  broker: 'mosquitto' | 'aedes';
  /** How the hub-side child ran: compiled JS on plain node (as in production), or under tsx. */
  drain_child: 'node' | 'tsx';
}

interface DrainReport { seconds: number; acked: number; rssPeak: number; rssAfter: number }

const mb = (b: number) => Math.round((b / 1024 ** 2) * 10) / 10;
const gc = () => { (globalThis as { gc?: () => void }).gc?.(); };

/** Fills `n` unsent readings with ids unique across calls (`tag`). */
function fill(path: string, n: number, tag: string): void {
  const store = openBenchStore(path);
  const CHUNK = 20_000;
  let start = Date.UTC(2026, 10, 23, 10);
  try {
    for (let done = 0, c = 0; done < n; done += CHUNK, c++) {
      const batch = makeReadings(Math.min(CHUNK, n - done), 3, false, start);
      start = batch[batch.length - 1]!.t + 1000;
      for (const r of batch) r.id = `${r.id}.${tag}.${c}`;
      store.insertReadings(batch);
    }
    if (store.depth().total !== n) throw new Error(`fill stored ${store.depth().total} of ${n}`);
  } finally {
    store.close();
  }
}

/** Plain mqtt.js: the same batches (read from the store, not acked), QoS 1, WINDOW in flight. */
async function rawPublish(path: string, url: string, protocolVersion: 4 | 5): Promise<number> {
  const { connect } = await import('mqtt');
  const store = openBenchStore(path);
  const client = connect(url, { protocolVersion, clientId: 'bench-raw', clean: true, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
  const prefix = `{"v":1,"hub":${JSON.stringify(HUB)},"readings":[`;
  const opts = protocolVersion === 5 ? { qos: 1 as const, properties: { contentType: 'application/json' } } : { qos: 1 as const };
  let cursor = 0;
  let sent = 0;
  let publishMs = 0;
  try {
    for (;;) {
      const bodies: string[] = []; // built outside the timed part
      for (let i = 0; i < WINDOW; i++) {
        const rows = store.pending(1, cursor, BATCH);
        const last = rows[rows.length - 1];
        if (!last) break;
        cursor = last.seq;
        sent += rows.length;
        bodies.push(prefix + rows.map((r) => r.payload).join(',') + ']}');
      }
      if (bodies.length === 0) break;
      const t0 = performance.now();
      await Promise.all(bodies.map((b) => client.publishAsync(`carehub/${HUB}/readings`, b, opts)));
      publishMs += performance.now() - t0;
    }
  } finally {
    await client.endAsync();
    store.close();
  }
  return sent / (publishMs / 1000);
}

/** Child side: open the store, drain it through the Uplink, report time and memory. */
async function childDrain(path: string, url: string, protocolVersion: 4 | 5): Promise<DrainReport> {
  // The production default keeps delivered rows 72 h (ack marks them sent instead of deleting).
  const store: Store = openBenchStore(path, undefined, 72);
  const total = store.depth().total;
  const rssOpen = process.memoryUsage.rss();
  let pendingMs = 0;
  let ackMs = 0;
  let ackCalls = 0;
  const outbox: OutboxSource = {
    pending: (lane, after, max) => { const t = performance.now(); const r = store.pending(lane, after, max); pendingMs += performance.now() - t; return r; },
    ack: (seqs) => { const t = performance.now(); ackCalls++; store.ack(seqs); ackMs += performance.now() - t; },
    pendingJoined: (lane, after, max) => { const t = performance.now(); const r = store.pendingJoined(lane, after, max); pendingMs += performance.now() - t; return r; },
    ackRanges: (ranges) => { const t = performance.now(); ackCalls++; store.ackRanges(ranges); ackMs += performance.now() - t; },
    depth: () => store.depth(),
  };
  let rssPeak = process.memoryUsage.rss();
  let peakDetail = process.memoryUsage();
  const sampler = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > rssPeak) { rssPeak = r; if (process.env.BENCH_DEBUG) peakDetail = process.memoryUsage(); }
  }, 25);
  const t0 = performance.now();
  const up = new Uplink({
    config: configSchema.shape.uplink.parse({ mqtt: { url, protocolVersion }, batchMaxReadings: BATCH, inflightBatches: WINDOW }),
    hubId: HUB, version: 'bench', outbox, log: silentLogger(), clock: new SystemClock(true),
  });
  const done = new Promise<void>((resolve) => { up.onIdle(() => { if (store.depth().total === 0) resolve(); }); });
  await up.start();
  await done;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const acked = up.stats().ackedRows;
  if (process.env.BENCH_DEBUG) {
    console.error(`drain: ${total} rows ${seconds.toFixed(2)} s (store pending ${(pendingMs / 1000).toFixed(2)} s, ack ${(ackMs / 1000).toFixed(2)} s in ${ackCalls} calls), rss after open ${mb(rssOpen)} MB, peak ${mb(rssPeak)} MB, heap ${mb(process.memoryUsage().heapUsed)} MB`);
    console.error(`  at peak: heapTotal ${mb(peakDetail.heapTotal)} heapUsed ${mb(peakDetail.heapUsed)} external ${mb(peakDetail.external)} arrayBuffers ${mb(peakDetail.arrayBuffers)} MB`);
  }
  await up.stop();
  store.close();
  gc();
  if (process.env.BENCH_DEBUG) console.error(`after stop+gc: rss ${mb(process.memoryUsage.rss())} MB, heap ${mb(process.memoryUsage().heapUsed)} MB`);
  if (acked < total) throw new Error(`drain acked ${acked} of ${total}`);
  return { seconds, acked, rssPeak, rssAfter: process.memoryUsage.rss() };
}

/**
 * Compiles the project with tsc into .tmp/bench-dist (fresh) and returns the compiled child
 * script, or null when there is none (tsc missing, or already running compiled). Type errors
 * elsewhere in the tree do not stop tsc from emitting, so they do not matter here.
 */
function compileChild(): string | null {
  if (import.meta.url.endsWith('.js') || process.env.BENCH_CHILD_TSX) return null;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outDir = join(root, '.tmp', 'bench-dist');
  let tsc: string;
  try { tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc'); } catch { return null; }
  rmSync(outDir, { recursive: true, force: true });
  spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--outDir', outDir, '--sourceMap', 'false'], { cwd: root, stdio: 'ignore' });
  const file = join(outDir, 'bench', 'drain.js');
  return existsSync(file) ? file : null;
}

function ask(child: ChildProcess, msg: object): Promise<DrainReport> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`drain child exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      const r = m as DrainReport | { error: string };
      if ('error' in r) reject(new Error(r.error)); else resolve(r);
    });
    child.send(msg);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export async function benchDrain(opts: { dir: string; n?: number }): Promise<DrainBenchResult> {
  const n = opts.n ?? N;
  const path = join(opts.dir, 'drain.db');
  const { createBroker } = await import('../test/helpers/broker.js');
  const broker = await createBroker();
  const v: 4 | 5 = broker.kind === 'mosquitto' ? 5 : 4;
  const compiled = compileChild();
  // The hub child runs with the production node flags of systemd/carehub.service.
  const flags = ['--expose-gc', ...PRODUCTION_NODE_FLAGS, ...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean)];
  const child = compiled
    ? fork(compiled, ['--drain-child'], { execArgv: flags, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(fileURLToPath(import.meta.url), ['--drain-child'], { execArgv: ['--import', 'tsx', ...flags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    fill(path, n, 'r0');
    await broker.start();
    // Both rates are medians of three runs: a single run of either varies by up to 1.5x here.
    const raws: number[] = [];
    for (let i = 0; i < 3; i++) raws.push(await rawPublish(path, broker.url, v));
    const rawRate = median(raws);
    await broker.stop();
    const reports: DrainReport[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) fill(path, n, `r${i}`);
      await broker.start(); // broker-up: the child starts the uplink on receipt
      reports.push(await ask(child, { path, url: broker.url, v }));
      await broker.stop();
    }
    const [first, , third] = reports as [DrainReport, DrainReport, DrainReport];
    const seconds = median(reports.map((r) => r.seconds));
    return {
      drain_1m_seconds: Math.round(seconds * 100) / 100,
      drain_readings_per_s: Math.round(n / seconds),
      mqtt_raw_readings_per_s: Math.round(rawRate),
      rss_peak_mb: mb(Math.max(...reports.map((r) => r.rssPeak))),
      rss_growth_mb: mb(third.rssAfter - first.rssAfter),
      broker: broker.kind,
      drain_child: compiled ? 'node' : 'tsx',
    };
  } finally {
    child.kill();
    await broker.dispose();
  }
}

if (process.argv.includes('--drain-child')) {
  if (process.env.BENCH_DEBUG) console.error(`drain child: rss at start ${mb(process.memoryUsage.rss())} MB`);
  process.on('message', (m: { path: string; url: string; v: 4 | 5 }) => {
    childDrain(m.path, m.url, m.v).then(
      (r) => process.send?.(r),
      (err: Error) => process.send?.({ error: err.message }),
    );
  });
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'carehub-bench-'));
  const r = await benchDrain({ dir, n: process.env.BENCH_N ? Number(process.env.BENCH_N) : undefined });
  console.log(JSON.stringify({ ...r, ratio_to_raw: Math.round((r.drain_readings_per_s / r.mqtt_raw_readings_per_s) * 100) / 100 }));
  if (!process.argv[2]) rmSync(dir, { recursive: true, force: true });
}
