import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { createPlxsSession } from '../../../drivers/oximeter-plxs/session.js';
import { PlxsSimulator } from '../../../drivers/oximeter-plxs/simulator.js';
import type { OxiScenario } from '../../../drivers/oximeter-plxs/scenario.js';
import type { DriverSession } from '../../../drivers/types.js';
import { fakeDriverContext } from '../../helpers/fake-driver-context.js';
import { until, type BleBench } from '../shared/ble-bench.js';

const ADDRESS = '00:1C:05:FF:4E:21';

/**
 * The PLXS session tests, written once: session.test.ts runs them on the simulated HCI bindings,
 * test/bluez/bluez-drivers.test.ts through noble's D-Bus bindings.
 */
export function plxsSessionFlows(b: BleBench): void {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

  async function rig(o: { scenario?: OxiScenario; clockNotSet?: boolean; tuned?: boolean } = {}) {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: ADDRESS, clock, scenario: o.scenario ?? 'normal', spotCheckEveryMs: 0, ...(o.clockNotSet ? { clockNotSet: true } : {}) });
    const h = await b.central([sim], clock);
    const ctx = fakeDriverContext({ clock, log: b.log, ble: h.central, device: { id: 'oxi-1', address: ADDRESS } });
    const session: DriverSession = o.tuned === false ? createPlxsSession(ctx) : createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
    cleanup.push(async () => { await session.stop(); sim.stop(); await h.close(); });
    /** Start the session and advance until the link is up. */
    const started = async (): Promise<void> => {
      await session.start();
      await until(b, clock, () => ctx.link() === 'connected', 5000, 'connected');
    };
    return { clock, sim, ctx, session, started, h };
  }

  it('connects, subscribes and reports SpO2, pulse and PI once per second', async () => {
    const { clock, ctx, started } = await rig();
    await started();
    await b.advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    const spo2 = ctx.metric('spo2');
    expect(spo2.length).toBeGreaterThanOrEqual(4);
    expect(spo2.length).toBeLessThanOrEqual(6);
    for (const m of spo2) {
      expect(m.value).toBeGreaterThanOrEqual(95);
      expect(m.value).toBeLessThanOrEqual(98);
      expect(m.key).toMatch(new RegExp(`^c:${m.t}:\\d+$`)); // wall time + monotonic slot
      expect((m.t ?? 1) % 1000).toBe(0);
    }
    expect(ctx.metric('pulse_rate').length).toBe(spo2.length);
    expect(ctx.metric('perfusion_index').length).toBe(spo2.length);
    expect(new Set(spo2.map((m) => m.key)).size).toBe(spo2.length);
    expect(ctx.links.filter((l) => l.state === 'connected')).toHaveLength(1);
  }, b.timeoutMs);

  it('resumes after the link drops mid-stream', async () => {
    const { clock, sim, ctx, started, h } = await rig();
    await started();
    await b.advance(clock, 3000);
    const before = ctx.metric('spo2').length;
    expect(before).toBeGreaterThan(0);
    sim.dropLink();
    await b.settle(() => ctx.link() !== 'connected');
    expect(ctx.link()).toBe('connecting');
    await b.advance(clock, 6000);
    expect(ctx.link()).toBe('connected');
    expect(h.connects(ADDRESS)).toBe(2);
    expect(ctx.metric('spo2').length).toBeGreaterThan(before + 2);
    expect(ctx.technicalActive('link_lost')).toBe(false);
  }, b.timeoutMs);

  it('fetches stored spot-checks with RACP after a reconnect and keeps their ids stable', async () => {
    const { clock, sim, ctx, started } = await rig();
    sim.takeSpotCheck();
    clock.advance(1000);
    sim.takeSpotCheck();
    await started();
    const spots = (): typeof ctx.submitted => ctx.submitted.filter((m) => m.key?.startsWith('s:') && m.metric === 'spo2');
    await until(b, clock, () => spots().length >= 2, 1000, 'stored spot-checks');
    const first = ctx.submitted.filter((m) => m.key?.startsWith('s:'));
    expect(first.filter((m) => m.metric === 'spo2')).toHaveLength(2);
    for (const m of first) {
      expect(m.deviceTime).toBe(true);
      expect(m.flags).toContain('stored');
    }
    sim.dropLink();
    await b.advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    const all = spots();
    expect(all).toHaveLength(4);
    expect(new Set(all.map((m) => m.key)).size).toBe(2);
    expect(all.slice(2).map((m) => m.key)).toEqual(all.slice(0, 2).map((m) => m.key));
    expect(all.slice(2).map((m) => m.t)).toEqual(all.slice(0, 2).map((m) => m.t));
  }, b.timeoutMs);

  it('marks spot-checks from a device whose clock is not set', async () => {
    const { clock, sim, ctx, started } = await rig({ clockNotSet: true, tuned: false });
    await started();
    await b.advance(clock, 1000);
    sim.takeSpotCheck();
    const spot = (): typeof ctx.submitted => ctx.submitted.filter((m) => m.key?.startsWith('s:2000-01-01T'));
    await b.settle(() => spot().length > 0);
    expect(spot().length).toBeGreaterThan(0);
    for (const m of spot()) {
      expect(m.flags).toContain('device-clock-not-set');
      expect(m.deviceTime).toBeUndefined();
      expect(m.t).toBe(clock.now());
    }
  }, b.timeoutMs);

  it('raises sensor_off_finger when the finger is out and clears it when back', async () => {
    const { clock, sim, ctx, started } = await rig();
    await started();
    await b.advance(clock, 2000);
    const n = ctx.metric('spo2').length;
    sim.setFinger(false);
    await b.advance(clock, 3000);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(true);
    expect(ctx.metric('spo2').length).toBe(n);
    sim.setFinger(true);
    await b.advance(clock, 2000);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(false);
    expect(ctx.technicals.filter((t) => t.code === 'sensor_off_finger')).toHaveLength(2);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  }, b.timeoutMs);

  it('out of range for minutes: link lost with a technical condition, then recovery', async () => {
    const { clock, sim, ctx, started } = await rig();
    await started();
    await b.advance(clock, 2000);
    sim.setInRange(false);
    await b.advance(clock, 3 * 60_000, 500);
    expect(ctx.link()).toBe('lost');
    expect(ctx.technicalActive('link_lost')).toBe(true);
    expect(ctx.technicals.filter((t) => t.code === 'link_lost' && t.active)).toHaveLength(1);
    const n = ctx.metric('spo2').length;
    sim.setInRange(null);
    await b.advance(clock, 10_000, 250);
    expect(ctx.link()).toBe('connected');
    expect(ctx.technicalActive('link_lost')).toBe(false);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  }, b.timeoutMs);

  it('rejects malformed frames with reason and hex, and keeps going', async () => {
    const { clock, sim, ctx, started } = await rig();
    await started();
    await b.advance(clock, 1500);
    sim.sendRaw('2a5f', Uint8Array.from([0x00, 0x61]));
    sim.sendRaw('2a5f', Uint8Array.from([0x80, 0x61, 0x00, 0x48, 0x00]));
    await b.settle(() => ctx.rejections.length >= 2);
    expect(ctx.rejections).toEqual([
      { reason: 'short', at: 2, hex: '0061', where: 'plx-continuous' },
      { reason: 'flags', at: 0, hex: '8061004800', where: 'plx-continuous' },
    ]);
    const n = ctx.metric('spo2').length;
    await b.advance(clock, 2000);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  }, b.timeoutMs);
}
