import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { Measurement } from '../../src/core/reading.js';
import type { BleCentral } from '../../src/transport/ble/types.js';
import { CgmsSession } from '../../drivers/cgm-cgms/session.js';
import { createCgmSimulator } from '../../drivers/cgm-cgms/simulator.js';
import { createPlxsSession } from '../../drivers/oximeter-plxs/session.js';
import { PlxsSimulator } from '../../drivers/oximeter-plxs/simulator.js';
import { fakeDriverContext, type FakeDriverContext } from '../helpers/fake-driver-context.js';
import { available, log, pump, useBluez } from './harness.js';

// The driver session flows that run on the simulated HCI bindings (test/drivers/oximeter-plxs,
// test/drivers/cgm-cgms/backfill) run here through noble's real D-Bus bindings, against the
// mock bluez5 on a private bus with GATT served from the same simulators.
const MIN = 60_000;
const bz = useBluez();

const bondShown = (ctx: FakeDriverContext): unknown => ctx.registry.status().find((d) => d.id === ctx.device.id)?.bond;

const bluezCentral = (clock: FakeClock, adapterConditions: { code: string; active: boolean }[] = []): Promise<BleCentral> =>
  bz.central(clock, { technical: (c) => adapterConditions.push({ code: c.code, active: c.active }) });

describe.runIf(available)('driver sessions over BlueZ D-Bus (mock bluez5 on a private bus)', () => {
  it('PLXS oximeter: connects, streams continuous measurements, shows the bond; link lost → reconnects and streams again', async () => {
    const address = '00:1C:05:FF:4E:31';
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
    const sim = new PlxsSimulator({ address, clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const peer = await bz.peer([{ p: sim, bonded: true }]);
    let central: BleCentral | undefined;
    let session: ReturnType<typeof createPlxsSession> | undefined;
    try {
      central = await bluezCentral(clock);
      const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'oxi-1', kind: 'oximeter', transport: 'ble', address } });
      session = createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000, lostAfterMs: 30_000 });
      expect(bondShown(ctx)).toBe('unknown');
      await session.start();
      await pump(clock, () => ctx.link() === 'connected' && ctx.metric('spo2').length >= 4, 20_000, 'connected and streaming');
      expect(bondShown(ctx)).toBe('bonded'); // BlueZ Device1.Bonded
      const first = ctx.metric('spo2');
      for (const m of first) {
        expect(m.value).toBeGreaterThanOrEqual(95);
        expect(m.value).toBeLessThanOrEqual(98);
      }
      expect(ctx.metric('pulse_rate').length).toBeGreaterThanOrEqual(first.length - 1);

      // The sensor drops the link; the hub reconnects through BlueZ and the stream resumes.
      const before = ctx.metric('spo2').length;
      sim.dropLink();
      await pump(clock, () => ctx.link() !== 'connected', 5000, 'link dropped');
      await pump(clock, () => ctx.link() === 'connected' && ctx.metric('spo2').length >= before + 3, 20_000, 'reconnected and streaming');
      expect(ctx.links.filter((l) => l.state === 'connected').length).toBeGreaterThanOrEqual(2);
      expect(ctx.technicalActive('link_lost')).toBe(false);
      const keys = ctx.metric('spo2').map((m) => m.key);
      expect(new Set(keys).size).toBe(keys.length); // no duplicate across the reconnect
    } finally {
      await session?.stop();
      await central?.close();
      sim.stop();
      await peer.stop();
    }
  }, 60_000);

  it('CGM: a 12-minute outage (the watchdog power-cycles the adapter through BlueZ meanwhile) is back-filled with RACP, ending with exactly the sensor records (no gap, no duplicate)', async () => {
    const address = 'C4:7A:11:02:33:C1';
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
    const sim = createCgmSimulator({ clock, log, address, intervalMin: 1 });
    const peer = await bz.peer([{ p: sim, bonded: true }]);
    let central: BleCentral | undefined;
    let session: CgmsSession | undefined;
    const stored = new Map<string, Measurement>();
    const adapter: { code: string; active: boolean }[] = [];
    try {
      central = await bluezCentral(clock, adapter);
      const ctx = fakeDriverContext({
        clock, log, ble: central,
        device: { id: 'cgm-2', kind: 'cgm', transport: 'ble', address },
        onSubmit: (ms) => {
          for (const m of ms) {
            const id = `${m.metric}|${m.key ?? ''}`;
            const had = stored.get(id);
            if (had && (had.value !== m.value || had.t !== m.t)) throw new Error(`same id ${id}, different content`);
            stored.set(id, m);
          }
        },
      });
      const cursor = (): number | null => {
        const raw = ctx.stateStore.get('cgms.session');
        return raw ? (JSON.parse(raw) as { cursor: number | null }).cursor : null;
      };
      const storedOffsets = (): number[] => [...stored.values()].filter((m) => m.metric === 'glucose')
        .map((m) => Number(/off:(\d+)$/.exec(m.key ?? '')?.[1] ?? NaN)).sort((a, b) => a - b);
      const sensorOffsets = (): number[] => sim.model.records.map((x) => x.offset);
      const caughtUp = (): boolean => ctx.link() === 'connected' && cursor() !== null && cursor() === sim.model.records.at(-1)?.offset;

      clock.advance(5 * MIN); // records waiting at the first connect
      session = new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000 });
      await session.start();
      await pump(clock, caughtUp, 5 * MIN, 'first catch-up', 500);
      await pump(clock, () => bondShown(ctx) === 'bonded', 5000, 'bond read from BlueZ after the session set-up');
      const before = storedOffsets().length;

      sim.setInRange(false);
      await pump(clock, () => ctx.link() !== 'connected', MIN, 'link dropped');
      const dropAt = clock.mono();
      await pump(clock, () => clock.mono() - dropAt >= 12 * MIN, 13 * MIN, 'outage', 5000);
      const missed = sim.model.records.filter((x) => x.offset > (cursor() ?? -1)).length;
      expect(missed).toBeGreaterThanOrEqual(11);
      // nothing heard for > 3 min while connecting: reset (Powered off/on) twice → ble_adapter_stuck
      expect(adapter).toContainEqual({ code: 'ble_adapter_stuck', active: true });
      sim.setInRange(true);
      await pump(clock, caughtUp, 5 * MIN, 'caught up after the outage', 500);

      expect(storedOffsets()).toEqual(sensorOffsets());
      expect(storedOffsets().length).toBeGreaterThanOrEqual(before + missed);
      expect(adapter.at(-1)).toEqual({ code: 'ble_adapter_stuck', active: false }); // the reset adapter reconnected the sensor
      expect(ctx.technicalActive('ble_pairing_required')).toBe(false);
    } finally {
      await session?.stop();
      await central?.close();
      sim.stop();
      await peer.stop();
    }
  }, 60_000);
});
