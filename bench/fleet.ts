/**
 * Fleet benchmark (`npm run bench -- fleet`): N hubs in one process, each with the real Store
 * (its own SQLite file on a tmpfs) and the real Uplink with the production reconnect defaults,
 * against one mosquitto. Each hub has a reading source at per-patient rates: a quarter are
 * home-NIV hubs (ventilator: 20 clinical readings/s and one 25-sample pressure waveform
 * reading/s; oximeter: SpO2 and pulse rate at 1/s), the rest CGM hubs (one glucose value every
 * 5 min). A backend subscriber with a persistent session counts what the broker delivers.
 *
 * Measured: steady-state messages/s and readings/s at the subscriber; after a broker restart
 * (down 10 s), connection attempts per second (peak and the per-second shape), the time until
 * every hub is back and everything it stored before broker-up is delivered, readings lost (stored by a hub, never received) and
 * duplicates (received more than once).
 *
 * Env: FLEET_HUBS (default 1000), FLEET_STEADY_S (default 20).
 * Run alone: `node --import tsx bench/fleet.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connect } from 'mqtt';
import { configSchema } from '../src/config/schema.js';
import { readingId } from '../src/core/ids.js';
import { silentLogger } from '../src/core/log.js';
import type { Reading } from '../src/core/reading.js';
import { SystemClock } from '../src/core/system-clock.js';
import { Store } from '../src/store/store.js';
import { Uplink } from '../src/uplink/uplink.js';

export interface FleetResult {
  fleet_hubs: number;
  fleet_messages_per_s: number;
  fleet_readings_per_s: number;
  fleet_reconnect_peak_per_s: number;
  /** Connection attempts per second after the restart, first 30 s. */
  fleet_reconnect_shape: string;
  fleet_recovery_s: number;
  fleet_lost: number;
  fleet_duplicates: number;
  fleet_rss_mb: number;
}

interface Hub { id: string; idx: number; vent: boolean; store: Store; up: Uplink; n: number }

const OUTAGE_MS = 10_000;
const mb = (b: number) => Math.round((b / 1024 ** 2) * 10) / 10;

function tmpfsDir(): string {
  for (const base of ['/dev/shm', tmpdir()]) {
    try { return mkdtempSync(join(base, 'carehub-fleet-')); } catch { /* next */ }
  }
  throw new Error('no temp dir');
}

function makeReading(hub: Hub, metric: string, value: number, t: number, lane: 1 | 2, samples?: number[]): Reading {
  const kind = metric === 'glucose' ? 'cgm' : metric === 'spo2' || metric === 'pr' ? 'oximeter' : 'ventilator';
  const device = `${hub.id}-${kind}`;
  const r: Reading = {
    id: readingId(device, metric, `${t}:${hub.n++}`), device, kind, metric, mdc: null, value, unit: '1',
    t, rx: t, clock: 'device', flags: [], lane,
  };
  if (samples) { r.samples = samples; r.periodMs = 40; }
  return r;
}

/** One second of readings for a hub at its patient's rates (CGM: every 300th call). */
function secondOf(hub: Hub, sec: number, t: number): Reading[] {
  if (!hub.vent) return (sec + hub.idx) % 300 === 0 ? [makeReading(hub, 'glucose', 6.1, t, 1)] : [];
  const out: Reading[] = [];
  for (let i = 0; i < 20; i++) out.push(makeReading(hub, i % 2 ? 'paw_peak' : 'vt', 20 + i, t + i * 50, 1));
  out.push(makeReading(hub, 'spo2', 97, t, 1), makeReading(hub, 'pr', 72, t, 1));
  out.push(makeReading(hub, 'paw_wave', 0, t, 2, Array.from({ length: 25 }, (_, i) => i % 20)));
  return out;
}

export async function benchFleet(opts: { hubs?: number; steadyS?: number } = {}): Promise<FleetResult> {
  const N = opts.hubs ?? Number(process.env.FLEET_HUBS ?? 1000);
  const steadyS = opts.steadyS ?? Number(process.env.FLEET_STEADY_S ?? 20);
  const dir = tmpfsDir();
  const { createBroker } = await import('../test/helpers/broker.js');
  const broker = await createBroker({ persistence: true, extraConf: ['max_connections -1'] });
  await broker.start();
  const clock = new SystemClock(true);
  const log = silentLogger();
  const hubs: Hub[] = [];
  const seen = new Map<string, number>();
  let messages = 0;
  let readings = 0;
  const sub = connect(broker.url, { protocolVersion: 5, clientId: 'fleet-backend', clean: false, reconnectPeriod: 500, properties: { sessionExpiryInterval: 3600 } });
  sub.on('error', () => {});
  sub.on('message', (_topic, payload) => {
    messages++;
    const b = JSON.parse(payload.toString('utf8')) as { readings: Array<{ id: string }> };
    for (const r of b.readings) { readings++; seen.set(r.id, (seen.get(r.id) ?? 0) + 1); }
  });
  await new Promise<void>((resolve) => sub.once('connect', () => resolve()));
  await sub.subscribeAsync('carehub/+/readings', { qos: 1 });

  const stored = new Set<string>();
  let tick: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < N; i++) {
      const id = `hub-${String(i).padStart(5, '0')}`;
      const store = Store.open({ path: join(dir, `${id}.db`), maxBytes: 64 * 1024 ** 2, retainSentHours: 72, log, clock, onTechnical: () => {} });
      const up = new Uplink({
        config: configSchema.shape.uplink.parse({ mqtt: { url: broker.url, protocolVersion: 5 } }),
        hubId: id, version: 'bench', outbox: store, log, clock,
      });
      store.onAppend(() => up.kick());
      hubs.push({ id, idx: i, vent: i % 4 === 0, store, up, n: 0 });
    }
    const t0 = performance.now();
    for (const h of hubs) await h.up.start();
    const connectedAll = () => hubs.every((h) => h.up.state() === 'connected');
    while (!connectedAll()) await sleep(100);
    process.stderr.write(`fleet: ${N} hubs connected in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    // reading sources: every hub once a second, spread over ten 100 ms slots
    let slot = 0;
    let sec = 0;
    tick = setInterval(() => {
      const now = Date.now();
      for (let i = slot; i < hubs.length; i += 10) {
        const h = hubs[i]!;
        const rs = secondOf(h, sec, now);
        if (rs.length === 0) continue;
        for (const r of rs) stored.add(r.id);
        h.store.submit(rs).catch(() => { for (const r of rs) stored.delete(r.id); });
      }
      slot = (slot + 1) % 10;
      if (slot === 0) sec++;
    }, 100);

    await sleep(5000); // warm-up
    const m0 = messages;
    const r0 = readings;
    const s0 = performance.now();
    await sleep(steadyS * 1000);
    const steadySecs = (performance.now() - s0) / 1000;
    const msgRate = (messages - m0) / steadySecs;
    const readRate = (readings - r0) / steadySecs;
    process.stderr.write(`fleet: steady ${Math.round(msgRate)} msg/s, ${Math.round(readRate)} readings/s\n`);

    // broker restart: down OUTAGE_MS, hubs keep storing
    const attemptsAt = () => hubs.reduce((a, h) => a + h.up.stats().connectAttempts, 0);
    await broker.stop();
    const down = performance.now();
    await sleep(OUTAGE_MS);
    const before = attemptsAt();
    await broker.start();
    const up = performance.now();
    const upWall = Date.now();
    // a hub has recovered when connected and nothing stored before broker-up is still unsent
    // (it keeps storing live readings meanwhile, so its outbox is rarely empty)
    const backlogGone = (h: Hub) => { const rx = h.store.depth().oldestRx; return rx === null || rx >= upWall; };
    const perSecond: number[] = [];
    let last = before;
    let recovered: number | null = null;
    for (let s = 0; s < 180 && recovered === null; s++) {
      await sleep(1000);
      const a = attemptsAt();
      perSecond.push(a - last);
      last = a;
      if (connectedAll() && hubs.every(backlogGone)) recovered = (performance.now() - up) / 1000;
    }
    process.stderr.write(`fleet: outage ${((up - down) / 1000).toFixed(1)} s, recovered in ${recovered?.toFixed(1) ?? 'n/a'} s, attempts/s ${perSecond.slice(0, 30).join(',')}\n`);
    clearInterval(tick);
    tick = undefined;
    // let the last stored rows go out, then count at the backend
    const end = performance.now() + 60_000;
    while (performance.now() < end && !hubs.every((h) => h.store.depth().total === 0)) await sleep(200);
    await sleep(3000);
    let lost = 0;
    for (const id of stored) if (!seen.has(id)) lost++;
    let duplicates = 0;
    for (const n of seen.values()) if (n > 1) duplicates += n - 1;
    return {
      fleet_hubs: N,
      fleet_messages_per_s: Math.round(msgRate),
      fleet_readings_per_s: Math.round(readRate),
      fleet_reconnect_peak_per_s: Math.max(0, ...perSecond),
      fleet_reconnect_shape: perSecond.slice(0, 30).join(','),
      fleet_recovery_s: recovered === null ? -1 : Math.round(recovered * 10) / 10,
      fleet_lost: lost,
      fleet_duplicates: duplicates,
      fleet_rss_mb: mb(process.memoryUsage.rss()),
    };
  } finally {
    if (tick) clearInterval(tick);
    for (const h of hubs) { await h.up.stop(); h.store.close(); }
    await sub.endAsync(true);
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchFleet()));
}
