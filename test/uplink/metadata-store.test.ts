import { connect } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/system-clock.js';
import type { OutboxSource } from '../../src/store/outbox-types.js';
import { MetadataStore } from '../../src/uplink/metadata-store.js';
import { Uplink, type UplinkState } from '../../src/uplink/uplink.js';
import { brokerProtocolVersion, hasMosquitto } from '../helpers/broker.js';
import { quietLog, reading, sleep, Subscriber, uplinkConfig, waitFor, restartableBrokerAndStore } from './util.js';

const HUB = 'hub-mstore';
const BATCH = 500;
const WINDOW = 12;
const fx = restartableBrokerAndStore();

describe('outgoing store without payloads', () => {
  it('keeps only the message id, QoS and topic of a message in flight, and nothing after its PUBACK', async () => {
    const store = new MetadataStore();
    const client = connect(fx.broker.url, { protocolVersion: brokerProtocolVersion, clientId: 'mstore-1', reconnectPeriod: 0, outgoingStore: store });
    await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
    const body = 'x'.repeat(100_000);
    const acked = Array.from({ length: 8 }, () => client.publishAsync('t/mstore', body, { qos: 1 }));
    expect(store.size).toBe(8);
    for (const e of store.entries()) {
      expect(Object.keys(e).sort()).toEqual(['cmd', 'messageId', 'qos', 'topic']);
      expect(e).toMatchObject({ cmd: 'publish', qos: 1, topic: 't/mstore' });
    }
    await Promise.all(acked); // a PUBACK finds its entry: no "missing packet" error
    expect(store.size).toBe(0);
    await client.endAsync();
  });

  // a store that replayed what it keeps would make mqtt.js send empty PUBLISHes after a reconnect
  it.skipIf(!hasMosquitto)('never makes mqtt.js resend anything after a reconnect', async () => {
    const backend = await Subscriber.open(fx.broker.url, 't/replay', { clientId: 'mstore-backend', clean: false, protocolVersion: 4 });
    const store = new MetadataStore();
    const client = connect(fx.broker.url, { protocolVersion: brokerProtocolVersion, clientId: 'mstore-2', reconnectPeriod: 100, outgoingStore: store });
    client.on('error', () => {});
    await new Promise<void>((resolve) => { client.once('connect', () => resolve()); });
    await fx.broker.stop();
    await waitFor(() => !client.connected, 5000, 'client sees the broker gone');
    // published while offline: mqtt.js puts them into its outgoing store to send on reconnect
    for (let i = 0; i < 5; i++) client.publish('t/replay', `offline-${i}`, { qos: 1 });
    expect(store.size).toBe(5);
    await fx.broker.start();
    await new Promise<void>((resolve) => { client.once('connect', () => resolve()); });
    client.publish('t/replay', 'after-reconnect', { qos: 1 });
    await backend.waitFor(() => backend.on('t/replay').length > 0, 10_000, 'the message sent after the reconnect');
    await sleep(300);
    expect(backend.on('t/replay').map((m) => m.payload)).toEqual(['after-reconnect']);
    client.end(true);
    await backend.close();
  }, 30_000);

  it.skipIf(!hasMosquitto)('a drain cut twice by broker restarts with batches in flight delivers every reading, none empty', async () => {
    let t = Date.UTC(2026, 10, 23, 10);
    const stored: string[] = [];
    const deviceOf = new Map<string, string>();
    for (let c = 0; c < 20; c++) {
      const rs = Array.from({ length: 3000 }, (_, i) => reading(`oxi-${i % 3}`, (t += 10)));
      fx.ts.store.insertReadings(rs);
      for (const r of rs) { stored.push(r.id); deviceOf.set(r.id, r.device); }
    }
    const backend = await Subscriber.open(fx.broker.url, `carehub/${HUB}/readings`, { clientId: 'mstore-drain-backend', clean: false, protocolVersion: 4 });

    // the real store, with a hook after each acknowledgement: the broker restarts at 10k and 30k rows
    const cuts = [10_000, 30_000];
    const inflightAtCut: number[] = [];
    const restarts: Promise<void>[] = [];
    let acked = 0;
    let up: Uplink | null = null;
    const s = fx.ts.store;
    const outbox: OutboxSource = {
      pending: (l, a, m) => s.pending(l, a, m),
      pendingJoined: (l, a, m, w) => s.pendingJoined(l, a, m, w),
      ack: (seqs) => s.ack(seqs),
      ackRanges: (ranges) => {
        s.ackRanges(ranges);
        for (const r of ranges) acked += r.to - r.from + 1;
        if (up && cuts.length && acked >= cuts[0]!) {
          cuts.shift();
          inflightAtCut.push(up.stats().inflight);
          restarts.push(fx.broker.restart());
        }
      },
      depth: () => s.depth(),
    };
    up = new Uplink({
      config: uplinkConfig({ url: fx.broker.url, protocolVersion: brokerProtocolVersion, reconnectMinMs: 100, reconnectMaxMs: 1000 }, { batchMaxReadings: BATCH, inflightBatches: WINDOW }),
      hubId: HUB, version: 't', outbox, log: quietLog, clock: new SystemClock(true),
    });
    const depthAtDrop: number[] = [];
    up.onState((st: UplinkState) => { if (st === 'disconnected') depthAtDrop.push(s.depth().total); });
    await up.start();
    await waitFor(() => restarts.length === 2 && s.depth().total === 0, 60_000, 'drained across two restarts');
    await Promise.all(restarts);

    const msgs = () => backend.on(`carehub/${HUB}/readings`);
    const ids = () => msgs().flatMap((m) => (JSON.parse(m.payload) as { readings: { id: string }[] }).readings.map((r) => r.id));
    await waitFor(() => new Set(ids()).size >= stored.length, 20_000, 'every reading at the backend');
    for (const m of msgs()) {
      expect(m.payload.length).toBeGreaterThan(0);
      const body = JSON.parse(m.payload) as { hub: string; readings: unknown[] };
      expect(body.hub).toBe(HUB);
      expect(body.readings.length).toBeGreaterThan(0);
    }
    const got = ids();
    expect(new Set(got)).toEqual(new Set(stored));
    // batches were in flight at each cut, and each cut came before the outbox was empty
    expect(inflightAtCut.every((n) => n > 0)).toBe(true);
    expect(depthAtDrop.length).toBeGreaterThanOrEqual(2);
    expect(depthAtDrop.slice(0, 2).every((d) => d > 0)).toBe(true);
    // at least once: only what was in flight at a cut may arrive twice
    const duplicates = got.length - new Set(got).size;
    expect(duplicates).toBeLessThanOrEqual(2 * WINDOW * BATCH);
    // per device, first arrivals keep the stored order
    const order = new Map(stored.map((id, i) => [id, i]));
    const firstSeen = [...new Set(got)];
    for (const dev of ['oxi-0', 'oxi-1', 'oxi-2']) {
      const seq = firstSeen.filter((id) => deviceOf.get(id) === dev).map((id) => order.get(id)!);
      expect(seq.length).toBe(20_000);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    console.log(`metadata store drain: ${stored.length} readings, ${msgs().length} messages, ${duplicates} duplicates, in flight at cuts ${inflightAtCut.join('/')}, reconnects ${up.stats().reconnects}`);
    await up.stop();
    await backend.close();
  }, 90_000);
});
