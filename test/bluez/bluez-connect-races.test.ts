import dbus from 'dbus-next';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { devicePath } from '../../src/transport/ble/bluez-bus.js';
import { MAX_CANCELS_JOINED } from '../../src/transport/ble/bluez-connect-guard.js';
import type { BleCentral, BleConnection } from '../../src/transport/ble/types.js';
import { createCgmSimulator, type CgmSimulator } from '../../drivers/cgm-cgms/simulator.js';
import { CGMS } from '../../drivers/cgm-cgms/uuids.js';
import { ADAPTER, available, log, useBluez } from './harness.js';
import type { SimBluezPeer } from './sim-bluez-peer.js';

// Connection attempts through noble's D-Bus bindings against the mock bluez5 that race the hub's
// connect timeout or a link BlueZ already holds (src/transport/ble/bluez-connect-guard.ts).
// Before the guard, the first left noble believing in a link nobody owned ("Peripheral already
// connected" on every later attempt: the CGM never reconnected after a long outage, issue 11),
// the second ran every attempt into the timeout.
const bz = useBluez();

const realMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function realUntil(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond();) {
    if (Date.now() > end) throw new Error(`not reached in ${ms} ms: ${what}`);
    await realMs(5);
  }
}

/** Settle `p` while stepping fake time (250 ms steps, real time between them for the bus). */
async function settle<T>(clock: FakeClock, p: Promise<T>, maxFakeMs: number): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  let out: { ok: true; value: T } | { ok: false; error: Error } | undefined;
  p.then((value) => { out = { ok: true, value }; }, (e: unknown) => { out = { ok: false, error: e instanceof Error ? e : new Error(String(e)) }; });
  for (let t = 0; !out && t <= maxFakeMs; t += 250) {
    await realMs(15);
    if (!out) clock.advance(250);
  }
  await realUntil(() => out !== undefined, 'the attempt settled');
  return out!;
}

/** Another D-Bus client's Device1.Connect (bluetoothctl, BlueZ's own auto-connect of a bonded sensor). */
function connectFromOutside(address: string, path = devicePath(ADAPTER, address)): { done: Promise<void>; close(): void } {
  const bus = dbus.sessionBus({ busAddress: bz.address });
  const done = (async () => {
    const obj = await bus.getProxyObject('org.bluez', path);
    await (obj.getInterface('org.bluez.Device1') as unknown as { Connect(): Promise<void> }).Connect();
  })();
  return { done, close: () => bus.disconnect() };
}

interface Bed { clock: FakeClock; sims: CgmSimulator[]; peer: SimBluezPeer; central: BleCentral; conns: BleConnection[] }

async function bed(addresses: string[], run: (b: Bed) => Promise<void>): Promise<void> {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
  const sims = addresses.map((address) => createCgmSimulator({ clock, log, address, intervalMin: 5 }));
  const peer = await bz.peer(sims.map((p) => ({ p, bonded: true })));
  const b: Partial<Bed> = { clock, sims, peer, conns: [] };
  try {
    b.central = await bz.central(clock);
    await run(b as Bed);
  } finally {
    for (const c of b.conns ?? []) await c.disconnect().catch(() => undefined);
    await b.central?.close();
    for (const s of sims) s.stop();
    await peer.stop();
  }
}

describe.runIf(available)('BlueZ D-Bus: connect attempts that race the timeout or a link BlueZ holds', () => {
  it('a connect the hub gave up on (timeout while BlueZ was busy) is never completed behind its back: BlueZ is left without the link and the next connect works', async () => {
    const SENSOR = 'C4:7A:11:02:34:01';
    const OTHER = 'C4:7A:11:02:34:02';
    await bed([SENSOR, OTHER], async ({ clock, peer, central, conns }) => {
      // another client's connect keeps BlueZ busy: the hub's attempt queues behind it
      const held = peer.holdConnect(OTHER);
      const outside = connectFromOutside(OTHER);
      try {
        await realUntil(held.reached, 'the other connect reached BlueZ');
        const first = central.connect(SENSOR, 2000);
        await realMs(100); // the hub's D-Bus calls are on their way
        const r = await settle(clock, first, 2000);
        expect(r.ok).toBe(false);
        expect(!r.ok && r.error.message).toMatch(/timed out/);
        held.release();
        await outside.done;
      } finally {
        outside.close();
      }
      await realMs(300); // whatever was queued at BlueZ has run
      // the attempt the hub abandoned never turned into a link nobody owns
      expect(peer.connects(SENSOR)).toBe(0);

      const second = await settle(clock, central.connect(SENSOR, 10_000), 10_000);
      if (!second.ok) throw second.error; // before the guard: "Peripheral already connected"
      conns.push(second.value);
      expect(peer.connects(SENSOR)).toBe(1);
      const feature = await settle(clock, second.value.read(CGMS.SERVICE, CGMS.FEATURE), 5000);
      expect(feature.ok && feature.value.length).toBeGreaterThan(0);
    });
  }, 30_000);

  it(`an attempt whose link signals were lost is joined at most ${MAX_CANCELS_JOINED} times, then the hub starts afresh and connects`, async () => {
    const SENSOR = 'C4:7A:11:02:34:04';
    await bed([SENSOR], async ({ clock, peer, central, conns }) => {
      peer.loseNextConnectSignals(SENSOR);
      const outcomes: string[] = [];
      for (let i = 0; i < MAX_CANCELS_JOINED + 1 && conns.length === 0; i++) {
        const r = await settle(clock, central.connect(SENSOR, 2000), 2000);
        if (r.ok) conns.push(r.value);
        outcomes.push(r.ok ? 'connected' : r.error.message.replace(/ C4.*/, ''));
      }
      // the first attempt hangs at BlueZ, the next joins it, then one starts afresh
      expect(outcomes).toEqual([...Array<string>(MAX_CANCELS_JOINED).fill('connect'), 'connected']);
      const feature = await settle(clock, conns[0]!.read(CGMS.SERVICE, CGMS.FEATURE), 5000);
      expect(feature.ok && feature.value.length).toBeGreaterThan(0);
    });
  }, 30_000);

  it('a sensor BlueZ already holds connected (its own auto-connect of a bonded device): the hub takes the link at once instead of timing out, and hears it drop', async () => {
    const SENSOR = 'C4:7A:11:02:34:03';
    await bed([SENSOR], async ({ clock, sims, peer, central, conns }) => {
      const outside = connectFromOutside(SENSOR);
      try { await outside.done; } finally { outside.close(); }
      await realUntil(() => peer.connects(SENSOR) === 1, 'BlueZ connected the sensor');

      // BlueZ answers a Connect on a connected LE device at once and no property changes
      const r = await settle(clock, central.connect(SENSOR, 10_000), 10_000);
      if (!r.ok) throw r.error; // before the guard: timed out after 10000 ms
      conns.push(r.value);
      expect(peer.connects(SENSOR)).toBe(1); // the link BlueZ held, not a new one
      const feature = await settle(clock, r.value.read(CGMS.SERVICE, CGMS.FEATURE), 5000);
      expect(feature.ok && feature.value.length).toBeGreaterThan(0);

      let dropped = '';
      r.value.onDisconnect((why) => { dropped = why; });
      sims[0]!.setInRange(false); // link supervision timeout: BlueZ drops the link
      await realUntil(() => dropped !== '', 'the hub heard the link drop');
    });
  }, 30_000);
});
