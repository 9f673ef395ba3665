import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import { simulatedAddress } from '../../../src/transport/ble/sim-address.js';
import { createBerrymedSession } from '../../../drivers/oximeter-berrymed/session.js';
import { BerrymedSimulator } from '../../../drivers/oximeter-berrymed/simulator.js';
import { definition } from '../../../drivers/oximeter-berrymed/definition.js';
import type { SimPeripheral } from '../../../src/transport/ble/types.js';
import { advance, fakeDriverContext, flush } from '../../helpers/fake-driver-context.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

function rig(options: { waveform?: boolean; readingRateHz?: number } = {}) {
  const clock = new FakeClock();
  const address = 'C0:26:DA:01:02:03';
  const sim = new BerrymedSimulator({ address, clock, scenario: 'normal' });
  const { central } = createSimulatedCentral([sim], { log: silentLogger(), clock });
  const ctx = fakeDriverContext({ clock, ble: central, device: { id: 'oxi-2', address, protocol: 'berrymed', options: { waveform: options.waveform ?? false, readingRateHz: options.readingRateHz ?? 1 } as never } });
  const session = createBerrymedSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000, lostAfterMs: 20_000 });
  cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
  return { clock, sim, ctx, session };
}

describe('BerryMed session through noble and the simulated bindings', () => {
  it('reduces the 100 Hz stream to one reading per second', async () => {
    const { clock, ctx, session } = rig();
    await session.start();
    await advance(clock, 10_000, 50);
    const spo2 = ctx.metric('spo2');
    expect(spo2.length).toBeGreaterThanOrEqual(9);
    expect(spo2.length).toBeLessThanOrEqual(10);
    for (const m of spo2) {
      expect(m.value).toBeGreaterThanOrEqual(95);
      expect(m.key).toMatch(new RegExp(`^b:${m.t}:\\d+$`)); // wall time + monotonic slot
    }
    expect(ctx.metric('pulse_rate')).toHaveLength(spo2.length);
    expect(ctx.metric('pleth')).toHaveLength(0);
    expect(ctx.rejections).toHaveLength(0);
  });

  it('forwards a decimated pleth waveform when options.waveform is set', async () => {
    const { clock, ctx, session } = rig({ waveform: true });
    await session.start();
    await advance(clock, 3000, 40);
    const w = ctx.metric('pleth');
    expect(w.length).toBeGreaterThanOrEqual(2);
    const full = w[1]!;
    expect(full.periodMs).toBe(40);
    expect(full.samples!.length).toBeGreaterThanOrEqual(24);
    expect(full.samples!.length).toBeLessThanOrEqual(26);
    expect(full.key).toMatch(new RegExp(`^w:${full.t}:\\d+$`));
  });

  it('maps finger-out and probe-unplugged to technical conditions and withholds values', async () => {
    const { clock, sim, ctx, session } = rig();
    await session.start();
    await advance(clock, 2000, 50);
    sim.setFinger(false);
    await advance(clock, 3000, 50);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(true);
    const n = ctx.metric('spo2').length;
    await advance(clock, 3000, 50);
    expect(ctx.metric('spo2').length).toBe(n);
    sim.setProbe(false);
    await advance(clock, 500, 50);
    expect(ctx.technicalActive('sensor_disconnected')).toBe(true);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(false);
    sim.setProbe(true);
    sim.setFinger(true);
    await advance(clock, 3000, 50);
    expect(ctx.technicalActive('sensor_disconnected')).toBe(false);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(false);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  });

  it('resyncs after garbage and split frames, counting the rejects', async () => {
    const { clock, sim, ctx, session } = rig();
    await session.start();
    await advance(clock, 1000, 50);
    sim.sendRaw(Uint8Array.from([0x01, 0x02, 0x03]));
    await flush();
    expect(ctx.rejections.at(-1)).toMatchObject({ reason: 'framing', where: 'berrymed-framer', hex: '010203' });
    const n = ctx.metric('spo2').length;
    await advance(clock, 2000, 50);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  });

  it('reconnects after a link drop and resumes', async () => {
    const { clock, sim, ctx, session } = rig();
    await session.start();
    await advance(clock, 2000, 50);
    sim.dropLink();
    await flush();
    expect(ctx.link()).toBe('connecting');
    await advance(clock, 4000, 50);
    expect(ctx.link()).toBe('connected');
    const keys = ctx.metric('spo2').map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('definition: a simulate: device is served by its simulator at the derived address', () => {
    const clock = new FakeClock();
    const device = { id: 'oxi-sim', kind: 'oximeter', transport: 'ble', simulate: 'desaturation', options: {} } as never;
    const p: SimPeripheral = definition.simulator!.transport === 'ble' ? definition.simulator!.create({ device, scenario: 'desaturation', clock, log: silentLogger() }) : (undefined as never);
    expect(p.address).toBe(simulatedAddress('oxi-sim'));
    expect(p.advertisedServices).toEqual(['49535343fe7d4ae58fa99fafd205e455']);
    p.stop();
  });
});
