import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { brokerProtocolVersion, hasMosquitto } from '../helpers/broker.js';
import { smallDiskAndBroker } from './small-disk-broker.js';
import { startFaultRig } from '../store/fault-rig.js';
import { sleep, Subscriber, waitFor } from '../uplink/util.js';

// Hazard: the broker acknowledged a batch but the hub could not write the acknowledgement (disk
// full). Before: the drainer's cursor had moved past those rows, so they stayed "unsent" in the
// store, never sent again and never marked, until the hub restarted.
const HUB = 'hub-ack';

const env = smallDiskAndBroker('storage-ack');

describe(`failed acknowledgement write (disk: ${process.getuid?.() === 0 && process.env.CAREHUB_TEST_NO_MOUNT !== '1' ? '2 MB tmpfs' : 'max_page_count fallback'}; broker: ${hasMosquitto ? 'mosquitto' : 'aedes'})`, () => {
  it('keeps the delivered rows for an ack retry and marks them once the disk has room, without a reconnect', async () => {
    // rows stored while the uplink is down, delivered after the disk filled up
    const rig = await startFaultRig({ dir: env.fs.dir, hubId: HUB, log: silentLogger(), store: env.fs.storeOptions });
    for (let i = 0; i < 4; i++) await rig.spo2(97, 50);
    expect(rig.store.depth().total).toBe(200);
    await rig.stop();

    const sub = await Subscriber.open(env.broker.url, `carehub/${HUB}/readings`, { protocolVersion: brokerProtocolVersion });
    const rig2 = await startFaultRig({ dir: env.fs.dir, hubId: HUB, log: silentLogger(), brokerUrl: env.broker.url, protocolVersion: brokerProtocolVersion, store: { ...env.fs.storeOptions } });
    // fill before the uplink connects (start() only begins connecting)
    rig2.store.housekeeping();
    const fault = env.fs.blockWrites();
    try {
      const delivered = (): Set<string> => new Set(sub.on(`carehub/${HUB}/readings`).flatMap((m) => (JSON.parse(m.payload) as { readings: Array<{ id: string }> }).readings.map((r) => r.id)));
      await waitFor(() => delivered().size >= 200, 15_000, 'all 200 rows at the broker');
      await waitFor(() => rig2.store.health().fault === fault, 5000, 'the ack write failing');
      await sleep(1500);
      expect(rig2.store.depth().total).toBe(200); // not marked: the disk is full
      expect(rig2.uplink!.stats().ackedRows).toBe(0);
      const code = fault === 'full' ? 'storage_full' : 'storage_error';
      expect(rig2.activeCodes()).toContain(code);

      env.fs.unblockWrites();
      await waitFor(() => rig2.store.depth().total === 0, 10_000, 'the rows marked delivered');
      // the retry marked them, not a reconnect (200 readings + the storage alarm's raised and cleared)
      expect(rig2.uplink!.stats().reconnects).toBe(0);
      expect(rig2.uplink!.stats().ackedRows).toBeGreaterThanOrEqual(200);
      expect(rig2.activeCodes()).not.toContain(code);
    } finally {
      await rig2.stop();
      await sub.close();
    }
  }, 60_000);
});
