import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/system-clock.js';
import { readingToJson } from '../../src/core/reading.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { quietLog, reading, uplinkConfig, waitFor } from './util.js';

describe.skipIf(!hasMosquitto)('broker receive maximum (MQTT 5)', () => {
  let broker: TestBroker;
  // mosquitto's default: 20 unacknowledged QoS 1 messages per client, announced in CONNACK.
  // mosquitto 2.0 itself tolerates more; EMQX and HiveMQ disconnect a client that exceeds it.
  beforeAll(async () => { broker = await startBroker({ maxInflight: 20 }); });
  afterAll(async () => { await broker.dispose(); });

  it('keeps fewer messages in flight than the broker allows, so a backlog drains without disconnects', async () => {
    const outbox = new MemoryOutbox();
    for (let i = 0; i < 3000; i++) outbox.add(1, 'reading', JSON.stringify(readingToJson(reading('oxi-1', Date.UTC(2026, 10, 23) + i * 1000))));
    const up = new Uplink({
      config: uplinkConfig({ url: broker.url }, { batchMaxReadings: 10, inflightBatches: 200 }),
      hubId: 'hub-rm', version: 't', outbox, log: quietLog, clock: new SystemClock(true),
    });
    let inflightAfterConnect = -1;
    // right after CONNACK the drainer fills its window synchronously: look at it then
    up.onState((st) => { if (st === 'connected') queueMicrotask(() => { inflightAfterConnect = up.stats().inflight; }); });
    try {
      await up.start();
      await waitFor(() => outbox.depth().total === 0, 20_000, 'drained');
      // 20 allowed by the broker, 4 kept for status, retained lists and command replies, and of
      // the 16 left one is kept free for alarm events: 15 readings batches
      expect(inflightAfterConnect).toBe(15);
      expect(up.stats()).toMatchObject({ reconnects: 0, publishedBatches: 300, ackedRows: 3000, publishErrors: 0 });
    } finally {
      await up.stop();
    }
  });
});
