import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/system-clock.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { brokerProtocolVersion, hasMosquitto } from '../helpers/broker.js';
import { quietLog, reading, sleep, Subscriber, uplinkConfig, waitFor, restartableBrokerAndStore } from './util.js';

const HUB = 'hub-outage';
const fx = restartableBrokerAndStore();

describe('broker outage', () => {
  // aedes keeps no sessions across a restart, so the subscriber would miss messages there
  it.skipIf(!hasMosquitto)('delivers every reading stored during a 20 s broker outage, in order per device', async () => {
    const up = new Uplink({
      config: uplinkConfig({ url: fx.broker.url, protocolVersion: brokerProtocolVersion, reconnectMinMs: 200, reconnectMaxMs: 2000 }, { batchMaxDelayMs: 100 }),
      hubId: HUB, version: 't', outbox: fx.ts.store, log: quietLog, clock: new SystemClock(true),
    });
    fx.ts.store.onAppend(() => up.kick());
    // a backend consumer with a persistent session, so it misses nothing across the restart
    const sub = await Subscriber.open(fx.broker.url, `carehub/${HUB}/readings`, { clientId: 'backend-1', clean: false, protocolVersion: 4 });
    await up.start();
    await waitFor(() => up.state() === 'connected', 10_000, 'connected');

    const stored: { id: string; device: string; t: number }[] = [];
    let t = Date.UTC(2026, 10, 23, 10);
    const producer = setInterval(() => {
      // two devices, 5 readings/s each = 10 readings/s
      t += 200;
      const rs = [reading('oxi-1', t), reading('oxi-2', t + 1)];
      fx.ts.store.insertReadings(rs);
      for (const r of rs) stored.push({ id: r.id, device: r.device, t: r.t });
    }, 100);
    try {
      await sleep(2000);
      await fx.broker.stop();
      const storedBeforeOutage = stored.length;
      await sleep(20_000);
      expect(up.state()).not.toBe('connected');
      expect(up.stats().disconnectedForMs).toBeGreaterThan(15_000);
      expect(up.stats().lastError).not.toBeNull();
      expect(fx.ts.store.depth().total).toBeGreaterThan(150); // the outage's readings wait in the store
      await fx.broker.start();
      await waitFor(() => up.state() === 'connected', 10_000, 'reconnected');
      await sleep(2000);
      clearInterval(producer);
      expect(stored.length - storedBeforeOutage).toBeGreaterThan(150);
    } finally {
      clearInterval(producer);
    }
    await waitFor(() => fx.ts.store.depth().total === 0, 15_000, 'outbox drained');
    const want = new Set(stored.map((s) => s.id));
    const seen = () => sub.on(`carehub/${HUB}/readings`).flatMap((m) => (JSON.parse(m.payload) as { readings: { id: string; device: string; t: string }[] }).readings);
    await waitFor(() => new Set(seen().map((r) => r.id)).size >= want.size, 15_000, 'all readings at the backend');
    const got = seen();
    const ids = new Set(got.map((r) => r.id));
    expect(ids).toEqual(want);
    const duplicates = got.length - ids.size;
    console.log(`outage test: ${want.size} readings stored, ${got.length} received, ${duplicates} duplicates, reconnects ${up.stats().reconnects}`);
    // per device, first arrivals are in measurement order
    for (const device of ['oxi-1', 'oxi-2']) {
      const first = new Map<string, number>();
      for (const r of got) if (r.device === device && !first.has(r.id)) first.set(r.id, Date.parse(r.t));
      const ts2 = [...first.values()];
      expect(ts2.length).toBeGreaterThan(100);
      expect(ts2).toEqual([...ts2].sort((a, b) => a - b));
    }
    expect(up.stats().reconnects).toBeGreaterThanOrEqual(1);
    await up.stop();
    await sub.close();
  }, 90_000);
});
