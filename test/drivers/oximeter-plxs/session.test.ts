import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import type { BleCentral } from '../../../src/transport/ble/types.js';
import { createPlxsSession } from '../../../drivers/oximeter-plxs/session.js';
import { PlxsSimulator } from '../../../drivers/oximeter-plxs/simulator.js';
import type { OxiScenario } from '../../../drivers/oximeter-plxs/scenario.js';
import type { DriverSession } from '../../../drivers/types.js';
import { advance, fakeDriverContext, flush } from '../../helpers/fake-driver-context.js';

const ADDRESS = '00:1C:05:FF:4E:21';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

function rig(scenario: OxiScenario = 'normal', spotCheckEveryMs = 0) {
  const clock = new FakeClock();
  const log = silentLogger();
  const sim = new PlxsSimulator({ address: ADDRESS, clock, scenario, spotCheckEveryMs });
  const { central, bindings } = createSimulatedCentral([sim], { log, clock });
  const ctx = fakeDriverContext({ clock, ble: central, device: { id: 'oxi-1', address: ADDRESS } });
  const session: DriverSession = createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
  cleanup.push(async () => { await session.stop(); sim.stop(); await (central as BleCentral).close(); });
  return { clock, sim, central, bindings, ctx, session };
}

describe('PLXS session through noble and the simulated bindings', () => {
  it('connects, subscribes and reports SpO2, pulse and PI once per second', async () => {
    const { clock, ctx, session } = rig();
    await session.start();
    await advance(clock, 5000);
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
  });

  it('resumes after the link drops mid-stream', async () => {
    const { clock, sim, ctx, session, bindings } = rig();
    await session.start();
    await advance(clock, 3000);
    const before = ctx.metric('spo2').length;
    expect(before).toBeGreaterThan(0);
    sim.dropLink();
    await flush();
    expect(ctx.link()).toBe('connecting');
    await advance(clock, 6000);
    expect(ctx.link()).toBe('connected');
    expect(bindings.stats.connects).toBe(2);
    expect(ctx.metric('spo2').length).toBeGreaterThan(before + 2);
    expect(ctx.technicalActive('link_lost')).toBe(false);
  });

  it('fetches stored spot-checks with RACP after a reconnect and keeps their ids stable', async () => {
    const { clock, sim, ctx, session } = rig('normal', 0);
    sim.takeSpotCheck();
    clock.advance(1000);
    sim.takeSpotCheck();
    await session.start();
    await advance(clock, 1000);
    const first = ctx.submitted.filter((m) => m.key?.startsWith('s:'));
    expect(first.filter((m) => m.metric === 'spo2')).toHaveLength(2);
    for (const m of first) {
      expect(m.deviceTime).toBe(true);
      expect(m.flags).toContain('stored');
    }
    sim.dropLink();
    await advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    const all = ctx.submitted.filter((m) => m.key?.startsWith('s:') && m.metric === 'spo2');
    expect(all).toHaveLength(4);
    expect(new Set(all.map((m) => m.key)).size).toBe(2);
    expect(all.slice(2).map((m) => m.key)).toEqual(all.slice(0, 2).map((m) => m.key));
    expect(all.slice(2).map((m) => m.t)).toEqual(all.slice(0, 2).map((m) => m.t));
  });

  it('marks spot-checks from a device whose clock is not set', async () => {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: ADDRESS, clock, scenario: 'normal', spotCheckEveryMs: 0, clockNotSet: true });
    const { central } = createSimulatedCentral([sim], { log: silentLogger(), clock });
    const ctx = fakeDriverContext({ clock, ble: central, device: { id: 'oxi-1', address: ADDRESS } });
    const session = createPlxsSession(ctx);
    cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
    await session.start();
    await advance(clock, 1000);
    sim.takeSpotCheck();
    await flush();
    const spot = ctx.submitted.filter((m) => m.key?.startsWith('s:2000-01-01T'));
    expect(spot.length).toBeGreaterThan(0);
    for (const m of spot) {
      expect(m.flags).toContain('device-clock-not-set');
      expect(m.deviceTime).toBeUndefined();
      expect(m.t).toBe(clock.now());
    }
  });

  it('raises sensor_off_finger when the finger is out and clears it when back', async () => {
    const { clock, sim, ctx, session } = rig();
    await session.start();
    await advance(clock, 2000);
    const n = ctx.metric('spo2').length;
    sim.setFinger(false);
    await advance(clock, 3000);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(true);
    expect(ctx.metric('spo2').length).toBe(n);
    sim.setFinger(true);
    await advance(clock, 2000);
    expect(ctx.technicalActive('sensor_off_finger')).toBe(false);
    expect(ctx.technicals.filter((t) => t.code === 'sensor_off_finger')).toHaveLength(2);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  });

  it('out of range for minutes: link lost with a technical condition, then recovery', async () => {
    const { clock, sim, ctx, session } = rig();
    await session.start();
    await advance(clock, 2000);
    sim.setInRange(false);
    await advance(clock, 3 * 60_000, 500);
    expect(ctx.link()).toBe('lost');
    expect(ctx.technicalActive('link_lost')).toBe(true);
    expect(ctx.technicals.filter((t) => t.code === 'link_lost' && t.active)).toHaveLength(1);
    const n = ctx.metric('spo2').length;
    sim.setInRange(null);
    await advance(clock, 10_000, 250);
    expect(ctx.link()).toBe('connected');
    expect(ctx.technicalActive('link_lost')).toBe(false);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  });

  it('rejects malformed frames with reason and hex, and keeps going', async () => {
    const { clock, sim, ctx, session } = rig();
    await session.start();
    await advance(clock, 1500);
    sim.sendRaw('2a5f', Uint8Array.from([0x00, 0x61]));
    sim.sendRaw('2a5f', Uint8Array.from([0x80, 0x61, 0x00, 0x48, 0x00]));
    await flush();
    expect(ctx.rejections).toEqual([
      { reason: 'short', at: 2, hex: '0061', where: 'plx-continuous' },
      { reason: 'flags', at: 0, hex: '8061004800', where: 'plx-continuous' },
    ]);
    const n = ctx.metric('spo2').length;
    await advance(clock, 2000);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
  });
});
