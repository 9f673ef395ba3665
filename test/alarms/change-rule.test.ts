import { afterEach, describe, expect, it } from 'vitest';
import { createWssSession } from '../../drivers/weight-wss/session.js';
import { createWssSimulator } from '../../drivers/weight-wss/simulator.js';
import type { WeightScenario } from '../../drivers/weight-wss/scenario.js';
import { addChangeSample, changeAt, MAX_SAMPLES, newChangeState } from '../../src/alarms/change-rule.js';
import { alarmsSchema } from '../../src/alarms/config-schema.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatedCentral } from '../../src/transport/ble/noble-central.js';
import { advance, fakeDriverContext } from '../helpers/fake-driver-context.js';

const DAY = 86_400_000;
const RULES = alarmsSchema.parse({ rules: { body_weight: { change: { windowH: 72, gain: { by: 2, priority: 'medium', source: 'ESC 2021 heart-failure guideline: more than 2 kg in 3 days' } } } } });

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

function scale(scenario: WeightScenario, historyDays: number) {
  const clock = new FakeClock();
  const sim = createWssSimulator({ address: 'C8:B2:1E:40:50:61', name: 'SIM-SCALE', clock, scenario, measureEveryMs: 60_000, firstMeasureAfterMs: 5000, history: { count: historyDays, everyMs: DAY } });
  const { central } = createSimulatedCentral([sim], { log: silentLogger(), clock });
  const ctx = fakeDriverContext({ clock, ble: central, alarms: RULES, device: { id: 'scale-1', kind: 'scale', protocol: 'wss', address: 'C8:B2:1E:40:50:61' } });
  const session = createWssSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
  cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
  return { clock, ctx, session };
}

describe('weight change over days (change rule, by measurement time)', () => {
  it('gain = newest minus the lowest within the window; no earlier sample → nothing; bounded history', () => {
    const s = newChangeState();
    const rule = { windowH: 72, gain: { by: 2, priority: 'medium' as const, latching: false } };
    addChangeSample(s, 0, 78);
    expect(changeAt(rule, s, 0, 78)).toBeUndefined();
    addChangeSample(s, 2 * DAY, 80.5);
    addChangeSample(s, DAY, 79); // out of order (a stored weighing after a live one): placed by time
    expect(changeAt(rule, s, 2 * DAY, 80.5)).toEqual({ gain: 2.5, loss: -1.5, spanH: 48 });
    expect(changeAt(rule, s, 4 * DAY, 80.5)?.gain).toBe(1.5); // day 0 left the 72 h window
    for (let i = 0; i < 200; i++) addChangeSample(s, 10 * DAY + i, 70);
    expect(s.t.length).toBe(MAX_SAMPLES);
  });

  it('a scale handing over two mornings from memory, then a weighing 2.4 kg up, raises body_weight_gain', async () => {
    const { clock, ctx, session } = scale('weight-gain', 2);
    await session.start();
    await advance(clock, 2000);
    expect(ctx.metric('body_weight')).toHaveLength(2); // the stored mornings: history, no alarm
    expect(ctx.active('body_weight_gain')).toBeUndefined();
    await advance(clock, 4000);
    expect(ctx.metric('body_weight')).toHaveLength(3);
    const a = ctx.active('body_weight_gain');
    expect(a?.priority).toBe('medium');
    expect(ctx.alarmEvents.find((e) => e.condition === 'body_weight_gain')?.text).toMatch(/^Weight up 2\.\d+ kg within 48 h \(limit 2 kg in 72 h\)$/);
  });

  it('a steady weight raises nothing', async () => {
    const { clock, ctx, session } = scale('normal', 2);
    await session.start();
    await advance(clock, 6000);
    expect(ctx.metric('body_weight')).toHaveLength(3);
    expect(ctx.active('body_weight_gain')).toBeUndefined();
  });
});
