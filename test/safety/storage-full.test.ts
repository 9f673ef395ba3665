import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { brokerProtocolVersion, hasMosquitto } from '../helpers/broker.js';
import { smallDiskAndBroker } from './small-disk-broker.js';
import { startFaultRig, type FaultRig } from '../store/fault-rig.js';
import { sleep, Subscriber, waitFor } from '../uplink/util.js';

// Hazard: the store's file system fills up. Before: no alarm, ~4 failed write transactions a
// second in the log, readings dropped, and the spo2_low `raised` produced meanwhile never stored
// or published (the backend later saw its `cleared` alone).
const HUB = 'hub-full';

const env = smallDiskAndBroker('storage-full');

interface Event { id: string; alarm: string; event: string; condition: string }

describe(`storage full (disk: ${process.getuid?.() === 0 && process.env.CAREHUB_TEST_NO_MOUNT !== '1' ? '2 MB tmpfs' : 'max_page_count fallback'}; broker: ${hasMosquitto ? 'mosquitto' : 'aedes'})`, () => {
  it('raises storage_full once, keeps alarming locally, and delivers the spo2_low raised meanwhile once space returns', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); return true; } } as unknown as NodeJS.WritableStream });
    const sub = await Subscriber.open(env.broker.url, `carehub/${HUB}/#`, { protocolVersion: brokerProtocolVersion, clientId: 'backend-full', clean: false, ...(brokerProtocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}) });
    const rig: FaultRig = await startFaultRig({ dir: env.fs.dir, hubId: HUB, log, brokerUrl: env.broker.url, protocolVersion: brokerProtocolVersion, store: env.fs.storeOptions });
    const events = (): Event[] => sub.on(`carehub/${HUB}/alarms/events`).map((m) => JSON.parse(m.payload) as Event);
    const delivered = (): Set<string> => new Set(sub.on(`carehub/${HUB}/readings`).flatMap((m) => (JSON.parse(m.payload) as { readings: Array<{ id: string }> }).readings.map((r) => r.id)));
    // With max_page_count, a small write can still fit into a page with room: readings go in
    // batches of 100 there (held readings go first in every write, so all of them fail), and
    // whether the alarm event itself was held can only be checked on a real full disk (tmpfs).
    const strict = env.fs.how === 'tmpfs';
    const feed = (value: number): void => { void rig.spo2(value, strict ? 1 : 100).catch(() => undefined); };
    try {
      await waitFor(() => rig.uplink?.state() === 'connected', 10_000, 'uplink connected');
      for (let i = 0; i < 5; i++) { await rig.spo2(97); }
      await waitFor(() => delivered().size >= 5, 10_000, 'readings delivered before the fault');

      // the disk fills up (the WAL checkpointed first, so the next write needs new space)
      rig.store.housekeeping();
      env.fs.fill();
      const beforeFault = rig.accepted.length;
      await waitFor(() => { feed(97); return rig.store.health().fault === 'full'; }, 10_000, 'storage_full');
      expect(rig.activeCodes()).toContain('storage_full');
      expect(rig.conditions.filter((c) => c.code === 'storage_full' && c.active)).toHaveLength(1);

      // local alarms keep working: the engine raises spo2_low from the live reading
      feed(80);
      await waitFor(() => rig.activeCodes().includes('spo2_low'), 2000, 'spo2_low raised locally');
      const raised = rig.localEvents.find((e) => e.condition === 'spo2_low' && e.event === 'raised')!;
      expect(raised.priority).toBe('high');

      // ~10 writes a second fail for 3 s: logged once, not per write; the event is held, not published
      for (let i = 0; i < 30; i++) { feed(80); await sleep(100); }
      expect(rig.store.health().failedWrites).toBeGreaterThan(20);
      if (strict) expect(rig.store.health().heldAlarmEvents).toBeGreaterThanOrEqual(1);
      expect(rig.store.health().heldReadings).toBeGreaterThan(20);
      const storeErrors = lines.filter((l) => l.includes('"ns":"store"') && /"level":(50|60)/.test(l));
      expect(storeErrors).toHaveLength(1);
      expect(storeErrors[0]).toContain('storage full');
      if (strict) expect(events().some((e) => e.id === raised.id)).toBe(false);
      const duringFault = rig.accepted.slice(beforeFault).map((r) => r.id);

      // space returns: the held raised event and readings are written, published, and the alarm clears
      env.fs.free();
      await waitFor(() => events().some((e) => e.id === raised.id), 20_000, 'the spo2_low raised at the backend');
      await waitFor(() => !rig.activeCodes().includes('storage_full'), 5000, 'storage_full cleared');
      expect(rig.store.health()).toMatchObject({ fault: null, heldAlarmEvents: 0, heldReadings: 0, droppedAlarmEvents: 0 });
      await waitFor(() => { const d = delivered(); return duringFault.every((id) => d.has(id)); }, 20_000, 'readings from the fault delivered');

      feed(97);
      await waitFor(() => events().some((e) => e.alarm === raised.alarm && e.event === 'cleared'), 10_000, 'spo2_low cleared at the backend');
      // the backend never sees a cleared without its raised before it
      const seen = events();
      for (const [i, e] of seen.entries()) {
        if (e.event !== 'raised') expect(seen.slice(0, i).some((p) => p.alarm === e.alarm && p.event === 'raised'), `${e.condition} ${e.event} without raised`).toBe(true);
      }
      expect(seen.filter((e) => e.condition === 'storage_full').map((e) => e.event)).toEqual(['raised', 'cleared']);
      expect(lines.filter((l) => l.includes('write transaction failed'))).toHaveLength(0);
    } finally {
      await rig.stop();
      await sub.close();
    }
  }, 90_000);
});
