import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TechnicalCondition } from '../../src/alarms/types.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { ClientConflict, REASON_SESSION_TAKEN_OVER } from '../../src/uplink/client-conflict.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { brokerProtocolVersion, createBroker, hasMosquitto, type TestBroker } from '../helpers/broker.js';
import { openTempStore, quietLog, reading, sleep, uplinkConfig, waitFor, type TempStore } from './util.js';

/** Short conflict timings: 3 takeovers in 60 s, then 1–2 s between attempts; a 4 s hold clears. */
const TUNING = { threshold: 3, windowMs: 60_000, backoffMinMs: 1000, clearAfterMs: 4000 };

interface Hub { up: Uplink; ts: TempStore; conditions: TechnicalCondition[] }

function clone(url: string, v: 4 | 5, name: string): Hub {
  const ts = openTempStore();
  const conditions: TechnicalCondition[] = [];
  const up = new Uplink({
    // the same client id on both: two hubs booted from one SD card image
    config: uplinkConfig({ url, protocolVersion: v, clientId: 'carehub-cloned', reconnectMinMs: 100, reconnectMaxMs: 1000 }, { batchMaxDelayMs: 20 }),
    hubId: name, version: 't', outbox: ts.store, log: quietLog, clock: new SystemClock(true),
    onTechnical: (c) => conditions.push(c), conflict: TUNING,
  });
  ts.store.onAppend(() => up.kick());
  return { up, ts, conditions };
}

const raised = (h: Hub) => h.conditions.some((c) => c.code === 'uplink_client_conflict' && c.active);

let broker: TestBroker;
beforeAll(async () => {
  broker = await createBroker();
  await broker.start();
});
afterAll(async () => { await broker.dispose(); });

describe.skipIf(!hasMosquitto)('client id conflict against mosquitto', () => {
  // mosquitto 2.0 sends no DISCONNECT 0x8E: it closes the old connection (the 3.1.1 pattern)
  it('two hubs with one client id raise uplink_client_conflict, back off, and both still deliver', async () => {
    const a = clone(broker.url, brokerProtocolVersion, 'hub-a');
    const b = clone(broker.url, brokerProtocolVersion, 'hub-b');
    try {
      await a.up.start();
      await b.up.start();
      await waitFor(() => raised(a) && raised(b), 15_000, 'uplink_client_conflict on both hubs');
      expect(a.up.stats().clientConflict).toBe(true);
      expect(a.conditions.find((c) => c.code === 'uplink_client_conflict')?.text).toMatch(/same client id/);

      // backing off: at most one attempt per hub a second (a fight is about ten per hub a second)
      const before = a.up.stats().connectAttempts + b.up.stats().connectAttempts;
      await sleep(4000);
      const attempts = a.up.stats().connectAttempts + b.up.stats().connectAttempts - before;
      expect(attempts).toBeLessThanOrEqual(8);

      // they share the broker in turns: readings stored on each hub are delivered
      const t = Date.now();
      a.ts.store.insertReadings([reading('oxi-a', t)]);
      b.ts.store.insertReadings([reading('oxi-b', t)]);
      await waitFor(() => a.ts.store.depth().total === 0 && b.ts.store.depth().total === 0, 15_000, 'both outboxes drained');

      // the clone goes away: a connection that holds clears the condition
      await b.up.stop();
      await waitFor(() => a.conditions.some((c) => c.code === 'uplink_client_conflict' && !c.active), 10_000, 'conflict cleared');
      expect(a.up.stats().clientConflict).toBe(false);
    } finally {
      await a.up.stop();
      await b.up.stop();
      a.ts.close();
      b.ts.close();
    }
  }, 45_000);
});

describe('what counts as a takeover', () => {
  it('a DISCONNECT 0x8E counts; other reasons, long-held connections and failed connects do not', () => {
    const reports: string[] = [];
    const c = new ClientConflict({ threshold: 2 }, () => 0.5, (r) => reports.push(r.text));
    expect(c.ended(0, 0x8b, 100)).toBe(false); // server shutting down (a broker restart)
    expect(c.ended(1, undefined, 60_000)).toBe(false); // a drop after a minute
    expect(c.ended(2, REASON_SESSION_TAKEN_OVER, null)).toBe(false); // never connected
    expect(c.delay()).toBeNull();
    expect(c.ended(3, REASON_SESSION_TAKEN_OVER, 60_000)).toBe(true); // 0x8E counts however long it held
    expect(c.ended(4, REASON_SESSION_TAKEN_OVER, 100)).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/session taken over/);
    expect(c.delay()).toBe(Math.round(5 * 60_000 * 1.5)); // 5..10 min, jittered
  });

  it('without a reason code: only closes within 10 s of the CONNACK, and only within the window', () => {
    const c = new ClientConflict({ threshold: 3, windowMs: 60_000 }, () => 0, () => {});
    expect(c.ended(0, undefined, 10_000)).toBe(false);
    c.ended(0, undefined, 50);
    c.ended(1_000, undefined, 50);
    c.ended(70_000, undefined, 50); // the first two are out of the window by now
    expect(c.active).toBe(false);
    c.ended(71_000, undefined, 50);
    expect(c.active).toBe(false);
    c.ended(72_000, undefined, 50);
    expect(c.active).toBe(true);
    c.held();
    expect(c.active).toBe(false);
  });
});
