/**
 * Uplink drain benchmark: 1,000,000 buffered readings in a real SQLite store, drained by the
 * Uplink to a local mosquitto (QoS 1, no subscriber), timed from broker-up to the last PUBACK.
 *
 * The hub side (Store + Uplink) runs in child processes (bench/drain-child.ts) so their RSS is the
 * hub's, not the benchmark's. The backlog is filled once into a template file; every drain gets
 * a fresh copy of it. Five drains, each in a fresh child (RSS differs between processes, not only
 * between drains): `drain_1m_seconds` is their median, `rss_peak_mb` their maximum, with ranges.
 * The fifth child drains two more copies: `rss_growth_mb` is its RSS after the third drain minus
 * after the first. `rss_ingest_then_drain_mb`: one child stores 1M readings itself through
 * Store.submit (broker down), then drains them without a restart; its peak over both phases.
 * raw: plain mqtt.js QoS 1 publishing of the same batch payloads (read from the same store,
 * joined the same way) with the same window: the ceiling for the uplink (median of three).
 *
 * The children run as production does: plain `node` on JavaScript compiled by tsc (the project's
 * tsconfig, as `npm run build`), here into `.tmp/bench-dist/` so a concurrent build of `dist/`
 * is not disturbed, with the node flags and Environment= of systemd/carehub.service
 * (unit-runtime.ts). The tsx loader alone costs a child ~30 MB of RSS that a production hub
 * does not have. If the compile produces no child file, the children run under tsx and the
 * result says `drain_child: 'tsx'`.
 * Run alone: `node --import tsx bench/drain.ts [dir]`. BENCH_DEBUG=1 prints each drain's detail;
 * BENCH_CHILD_FLAGS adds node flags to the children (e.g. `--cpu-prof --cpu-prof-dir=...`).
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BATCH, HUB, WINDOW, type ChildReport, type ChildRequest } from './drain-child.js';
import { makeReadings, openBenchStore } from './store.js';
import { unitRuntime } from './unit-runtime.js';

const N = 1_000_000;
const RUNS = 5;

export interface DrainBenchResult {
  drain_1m_seconds: number;
  drain_1m_range_seconds: string;
  drain_readings_per_s: number;
  mqtt_raw_readings_per_s: number;
  mqtt_raw_range_readings_per_s: string;
  /** Maximum over the drains of five fresh children (and the two extra drains of the fifth). */
  rss_peak_mb: number;
  rss_peak_range_mb: string;
  rss_growth_mb: number;
  rss_ingest_then_drain_mb: number;
  ingest_then_drain_seconds: number;
  broker: 'mosquitto' | 'aedes';
  /** How the hub-side children ran: compiled JS on plain node (as in production), or under tsx. */
  drain_child: 'node' | 'tsx';
}

const mb = (b: number) => Math.round((b / 1024 ** 2) * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Fills `n` unsent readings. */
function fill(path: string, n: number): void {
  const store = openBenchStore(path);
  const CHUNK = 20_000;
  let start = Date.UTC(2026, 10, 23, 10);
  try {
    for (let done = 0, c = 0; done < n; done += CHUNK, c++) {
      const batch = makeReadings(Math.min(CHUNK, n - done), 3, false, start);
      start = batch[batch.length - 1]!.t + 1000;
      for (const r of batch) r.id = `${r.id}.${c}`;
      store.insertReadings(batch);
    }
    if (store.depth().total !== n) throw new Error(`fill stored ${store.depth().total} of ${n}`);
  } finally {
    store.close();
  }
}

/** Removes a database file and its -wal/-shm/.id. */
function removeDb(path: string): void {
  const dir = dirname(path);
  for (const f of readdirSync(dir)) if (f.startsWith(basename(path))) rmSync(join(dir, f), { force: true });
}

/**
 * Writes a file's dirty pages out now. A 400 MB copy left to the kernel is written back ~30 s
 * later (dirty_expire_centisecs), in the middle of a later drain or raw run: measured, it made
 * single drains 2x slower at random. A hub's backlog was written long before its drain.
 */
function flushToDisk(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Replaces `to` (and its -wal/-shm/.id) with a copy of the closed database `from`, on disk. */
function copyDb(from: string, to: string): void {
  removeDb(to);
  for (const side of ['', '-wal', '.id']) {
    if (!existsSync(from + side)) continue;
    copyFileSync(from + side, to + side);
    flushToDisk(to + side);
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
  const file = join(outDir, 'bench', 'drain-child.js');
  return existsSync(file) ? file : null;
}

function ask(child: ChildProcess, msg: ChildRequest): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`drain child exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      const r = m as ChildReport | { error: string };
      if ('error' in r) reject(new Error(r.error)); else resolve(r);
    });
    child.send(msg);
  });
}

/** Asks the child to leave and waits (a profile from --cpu-prof is written on a normal exit). */
function dismiss(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => { child.kill(); }, 10_000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    child.send({ op: 'exit' } satisfies ChildRequest);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const range = (xs: number[], f: (x: number) => number): string => `${f(Math.min(...xs))}-${f(Math.max(...xs))}`;

export async function benchDrain(opts: { dir: string; n?: number }): Promise<DrainBenchResult> {
  const n = opts.n ?? N;
  const template = join(opts.dir, 'drain-template.db');
  const path = join(opts.dir, 'drain.db');
  const { createBroker } = await import('../test/helpers/broker.js');
  const broker = await createBroker();
  const v: 4 | 5 = broker.kind === 'mosquitto' ? 5 : 4;
  const compiled = compileChild();
  const prod = unitRuntime();
  const flags = ['--expose-gc', ...prod.nodeFlags, ...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean)];
  const env = { ...process.env, ...prod.env };
  const spawnChild = (): ChildProcess => (compiled
    ? fork(compiled, [], { execArgv: flags, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(fileURLToPath(new URL('./drain-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx', ...flags], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const children: ChildProcess[] = [];
  const show = (what: string, r: ChildReport): void => {
    if (process.env.BENCH_DEBUG) process.stderr.write(`${what}: rss open ${mb(r.rssOpen)} peak ${mb(r.rssPeak)} after ${mb(r.rssAfter)} MB; ${r.detail ?? `${r.rows} rows ${r.seconds.toFixed(2)} s`}\n`);
  };
  try {
    fill(template, n);
    for (const side of ['', '-wal']) if (existsSync(template + side)) flushToDisk(template + side);
    await broker.start();
    const raws: number[] = [];
    for (let i = 0; i < 3; i++) raws.push(await rawPublish(template, broker.url, v));
    await broker.stop();
    const reports: ChildReport[] = [];
    const drainCopy = async (child: ChildProcess, what: string): Promise<ChildReport> => {
      copyDb(template, path);
      await broker.start(); // broker-up: the child starts the uplink on receipt
      try {
        const r = await ask(child, { op: 'drain', path, url: broker.url, v });
        show(what, r);
        reports.push(r);
        return r;
      } finally {
        await broker.stop();
      }
    };
    let growth = 0;
    for (let i = 0; i < RUNS; i++) {
      const child = spawnChild();
      children.push(child);
      const first = await drainCopy(child, `drain ${i + 1}`);
      if (i === RUNS - 1) {
        await drainCopy(child, `drain ${i + 1}b`);
        const third = await drainCopy(child, `drain ${i + 1}c`);
        growth = third.rssAfter - first.rssAfter;
      }
      await dismiss(child);
    }
    // a hub that stored the backlog itself, then drained it: one process, no restart
    const child = spawnChild();
    children.push(child);
    const ingestPath = join(opts.dir, 'ingest.db');
    removeDb(path);
    removeDb(ingestPath);
    const ing = await ask(child, { op: 'ingest', path: ingestPath, n });
    show('ingest', ing);
    await broker.start();
    const both = await ask(child, { op: 'drain-open', url: broker.url, v });
    show('ingest then drain', both);
    await broker.stop();
    await dismiss(child);

    const drainSeconds = reports.slice(0, RUNS).map((r) => r.seconds);
    const seconds = median(drainSeconds);
    const peaks = reports.map((r) => r.rssPeak);
    return {
      drain_1m_seconds: r2(seconds),
      drain_1m_range_seconds: range(drainSeconds, r2),
      drain_readings_per_s: Math.round(n / seconds),
      mqtt_raw_readings_per_s: Math.round(median(raws)),
      mqtt_raw_range_readings_per_s: range(raws, Math.round),
      rss_peak_mb: mb(Math.max(...peaks)),
      rss_peak_range_mb: range(peaks, mb),
      rss_growth_mb: mb(growth),
      rss_ingest_then_drain_mb: mb(Math.max(ing.rssPeak, both.rssPeak)),
      ingest_then_drain_seconds: r2(ing.seconds + both.seconds),
      broker: broker.kind,
      drain_child: compiled ? 'node' : 'tsx',
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    await broker.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'carehub-bench-'));
  const r = await benchDrain({ dir, n: process.env.BENCH_N ? Number(process.env.BENCH_N) : undefined });
  console.log(JSON.stringify({ ...r, ratio_to_raw: r2(r.drain_readings_per_s / r.mqtt_raw_readings_per_s) }));
  if (!process.argv[2]) rmSync(dir, { recursive: true, force: true });
}
