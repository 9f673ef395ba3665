import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { createBerrymedSession } from '../../../drivers/oximeter-berrymed/session.js';
import { BerrymedSimulator } from '../../../drivers/oximeter-berrymed/simulator.js';
import { fakeDriverContext } from '../../helpers/fake-driver-context.js';
import { until, type BleBench } from '../shared/ble-bench.js';

const ADDRESS = 'C0:26:DA:01:02:03';

/**
 * The BerryMed session tests, written once: session.test.ts runs them on the simulated HCI
 * bindings, test/bluez/bluez-drivers.test.ts through noble's D-Bus bindings.
 */
export function berrymedSessionFlows(b: BleBench): void {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

  async function rig(options: { waveform?: boolean; readingRateHz?: number } = {}) {
    const clock = new FakeClock();
    const sim = new BerrymedSimulator({ address: ADDRESS, clock, scenario: 'normal' });
    const h = await b.central([sim], clock);
    const ctx = fakeDriverContext({ clock, log: b.log, ble: h.central, device: { id: 'oxi-2', address: ADDRESS, protocol: 'berrymed', options: { waveform: options.waveform ?? false, readingRateHz: options.readingRateHz ?? 1 } as never } });
    const session = createBerrymedSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000, lostAfterMs: 20_000 });
    cleanup.push(async () => { await session.stop(); sim.stop(); await h.close(); });
    /** Start the session and advance until the stream is up. */
    const started = async (): Promise<void> => {
      await session.start();
      await until(b, clock, () => ctx.link() === 'connected', 5000, 'connected', 50);
    };
    return { clock, sim, ctx, session, started, h };
  }

  it('reduces the 100 Hz stream to one reading per second', async () => {
    const { clock, ctx, started } = await rig();
    await started();
    const n0 = ctx.metric('spo2').length;
    await b.advance(clock, 10_000, 50);
    const spo2 = ctx.metric('spo2');
    expect(spo2.length - n0).toBeGreaterThanOrEqual(9);
    expect(spo2.length - n0).toBeLessThanOrEqual(10);
    for (const m of spo2) {
      expect(m.value).toBeGreaterThanOrEqual(95);
      expect(m.key).toMatch(new RegExp(`^b:${m.t}:\\d+$`)); // wall time + monotonic slot
    }
    expect(ctx.metric('pulse_rate')).toHaveLength(spo2.length);
    expect(ctx.metric('pleth')).toHaveLength(0);
    expect(ctx.rejections).toHaveLength(0);
  }, b.timeoutMs);

  it('forwards a decimated pleth waveform when options.waveform is set', async () => {
    const { clock, ctx, started } = await rig({ waveform: true });
    await started();
    await b.advance(clock, 3000, 40);
    const w = ctx.metric('pleth');
    expect(w.length).toBeGreaterThanOrEqual(2);
    const full = w[1]!;
    expect(full.periodMs).toBe(40);
    expect(full.samples!.length).toBeGreaterThanOrEqual(24);
    expect(full.samples!.length).toBeLessThanOrEqual(26);
    expect(full.key).toMatch(new RegExp(`^w:${full.t}:\\d+$`));
  }, b.timeoutMs);

  it('maps finger-out and probe-unplugged to technical conditions and withholds values', async () => {
    const { clock, sim, ctx, started } = await rig();
    await started();
    await b.advance(clock, 2000, 50);
    sim.setFinger(false);
    await b.advance(clock, 3000, 50);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(true);
    const n = ctx.metric('spo2').length;
    await b.advance(clock, 3000, 50);
    expect(ctx.metric('spo2').length).toBe(n);
    sim.setProbe(false);
    await b.advance(clock, 500, 50);
    expect(ctx.technicalActive('sensor_disconnected')).toBe(true);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(false);
    sim.setProbe(true);
    sim.setFinger(true);
    await b.advance(clock, 3000, 50);
    expect(ctx.technicalActive('sensor_disconnected')).toBe(false);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(false);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  }, b.timeoutMs);

  it('resyncs after garbage and split frames, counting the rejects', async () => {
    const { clock, sim, ctx, started } = await rig();
    await started();
    await b.advance(clock, 1000, 50);
    sim.sendRaw(Uint8Array.from([0x01, 0x02, 0x03]));
    await b.settle(() => ctx.rejections.length > 0);
    expect(ctx.rejections.at(-1)).toMatchObject({ reason: 'framing', where: 'berrymed-framer', hex: '010203' });
    const n = ctx.metric('spo2').length;
    await b.advance(clock, 2000, 50);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  }, b.timeoutMs);

  it('reconnects after a link drop and resumes', async () => {
    const { clock, sim, ctx, started, h } = await rig();
    await started();
    await b.advance(clock, 2000, 50);
    const n = ctx.metric('spo2').length;
    sim.dropLink();
    await b.settle(() => ctx.link() !== 'connected');
    expect(ctx.link()).toBe('connecting');
    await b.advance(clock, 4000, 50);
    expect(ctx.link()).toBe('connected');
    expect(h.connects(ADDRESS)).toBe(2);
    await b.advance(clock, 2000, 50);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
    const keys = ctx.metric('spo2').map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
  }, b.timeoutMs);
}
