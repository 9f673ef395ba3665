import { afterEach, expect, it } from 'vitest';
import { createWssSession } from '../../../drivers/weight-wss/session.js';
import { createWssSimulator } from '../../../drivers/weight-wss/simulator.js';
import { weightSample } from '../../../drivers/weight-wss/scenario.js';
import { FakeClock } from '../../../src/core/clock.js';
import { fakeDriverContext } from '../../helpers/fake-driver-context.js';
import { until, type BleBench } from '../shared/ble-bench.js';
import { storedReadings } from '../shared/stored.js';

const ADDRESS = 'C8:B2:1E:40:50:60';


/**
 * The WSS session tests, written once: session.test.ts runs them on the simulated HCI bindings,
 * test/bluez/bluez-drivers.test.ts through noble's D-Bus bindings.
 */
export function wssSessionFlows(b: BleBench): void {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

  async function rig(o: { clockUnset?: boolean } = {}) {
    const clock = new FakeClock();
    const sim = createWssSimulator({ address: ADDRESS, name: 'SIM-SCALE', clock, scenario: 'weight-gain', measureEveryMs: 0, ...(o.clockUnset ? { clockUnset: true } : {}) });
    const h = await b.central([sim], clock);
    const ctx = fakeDriverContext({ clock, log: b.log, ble: h.central, device: { id: 'scale-1', kind: 'scale', protocol: 'wss', address: ADDRESS } });
    const session = createWssSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
    cleanup.push(async () => { await session.stop(); sim.stop(); await h.close(); });
    /** Start the session and advance until connected and the scale's memory is taken (at most 1 s). */
    const started = async (): Promise<void> => {
      await session.start();
      await until(b, clock, () => ctx.link() === 'connected' && sim.memory.length === 0, 1000, 'connected, memory taken');
      await b.advance(clock, 200);
    };
    return { clock, sim, ctx, session, started };
  }

  it('takes the weighings stored in the scale on connect, each once, with BMI and height', async () => {
    const { clock, sim, ctx, started } = await rig();
    for (let i = 0; i < 3; i++) { sim.measure(); clock.advance(86_400_000); }
    await started();
    const w = ctx.metric('body_weight');
    expect(w.map((m) => m.value)).toEqual([0, 1, 2].map((n) => expect.closeTo(weightSample('weight-gain', n), 3)));
    expect((w[2]?.value ?? 0) - (w[0]?.value ?? 0)).toBeGreaterThan(1.5);
    expect(w.map((m) => m.t)).toEqual([0, 1, 2].map((d) => Date.UTC(2026, 10, 23 + d, 10, 0, 0)));
    expect(ctx.metric('bmi')).toHaveLength(3);
    expect(ctx.metric('body_height').map((m) => m.value)).toEqual([1.76, 1.76, 1.76]);
    expect(storedReadings(ctx, 'body_weight').map((r) => r.unit)).toEqual(['kg', 'kg', 'kg']);

    sim.dropLink();
    await b.advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    expect(ctx.metric('body_weight')).toHaveLength(3); // the scale forgot what it delivered: nothing twice
    sim.measure();
    await b.settle(() => ctx.metric('body_weight').length >= 4);
    expect(ctx.metric('body_weight')).toHaveLength(4);
    expect(storedReadings(ctx, 'body_weight')).toHaveLength(4);
  }, b.timeoutMs);

  it('a scale whose clock was never set gets the hub time written, and its weighings are placed by it', async () => {
    const { clock, sim, ctx, started } = await rig({ clockUnset: true });
    await started();
    await until(b, clock, () => sim.clockWrites > 0, 1000, 'clock written');
    expect(sim.clockWrites).toBe(1);
    expect(sim.clockIsSet()).toBe(true);
    sim.measure();
    await b.settle(() => ctx.metric('body_weight').length > 0);
    const [m] = ctx.metric('body_weight');
    expect(Math.abs((m?.t ?? 0) - clock.now())).toBeLessThan(2000);
  }, b.timeoutMs);

  it('"measurement unsuccessful" gives no reading and no rejection', async () => {
    const { ctx, sim, started } = await rig();
    sim.memory.push(Uint8Array.from([0x00, 0xff, 0xff]));
    await started();
    expect(ctx.link()).toBe('connected');
    expect(ctx.submitted).toHaveLength(0);
    expect(ctx.rejections).toHaveLength(0);
  }, b.timeoutMs);
}
