import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { RESTORE_GRACE_MS } from '../../src/alarms/engine.js';
import { MemoryPersistence } from '../../src/alarms/persistence.js';
import { rig, rules, TEST_RULES } from './helpers.js';

async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}

describe('restart with persisted state', () => {
  it('restores active, acknowledged and latched alarms with their ids and without new raised events', async () => {
    const state = new MemoryPersistence();
    const a = rig({ state });
    a.read('spo2', 87);
    a.stream('spo2', 87, 15);
    a.read('glucose', 3.5);
    a.clock.advance(1000);
    a.read('glucose', 5);
    const spo2 = a.engine.active().find((x) => x.condition === 'spo2_low')!;
    a.engine.ack(spo2.alarm);
    await settle();
    expect(state.value).toBeDefined(); // persisted after the task, not before the signal
    const before = a.engine.active();
    a.engine.stop();

    const b = rig({ state, clock: new FakeClock() });
    expect(b.engine.active()).toEqual(before);
    expect(b.events).toEqual([]);
    expect(b.lists[0]).toEqual(before); // the retained list is refreshed at start
    expect(b.probe.last).toEqual({ visual: 'medium', audio: 'medium', paused: false }); // latched glucose unacked
    // the restored SpO2 alarm keeps its hysteresis state: 88 does not clear it, 89 does
    b.read('spo2', 88);
    expect(b.engine.active().find((x) => x.condition === 'spo2_low')).toBeDefined();
    b.read('spo2', 89);
    expect(b.events.map((e) => `${e.event}:${e.alarm}`)).toEqual([`cleared:${spo2.alarm}`]);
  });

  it('a known source that stays silent after the restart goes stale', () => {
    const state = new MemoryPersistence();
    const a = rig({ state });
    a.read('spo2', 97);
    a.engine.stop();
    const b = rig({ state, clock: new FakeClock() });
    b.clock.advance(31_000);
    expect(b.kinds()).toEqual(['raised:stale_data:medium']);
  });

  it('restored technical alarms not reported again within the grace period are cleared', () => {
    const state = new MemoryPersistence();
    const a = rig({ state });
    a.engine.technical({ code: 'link_lost', device: 'oxi-1', active: true, text: 'lost' });
    a.engine.technical({ code: 'serial_port_gone', device: 'vent-1', active: true, text: 'gone' });
    a.engine.stop();
    const b = rig({ state, clock: new FakeClock() });
    b.engine.technical({ code: 'serial_port_gone', device: 'vent-1', active: true, text: 'still gone' });
    b.clock.advance(RESTORE_GRACE_MS + 1000);
    expect(b.kinds()).toEqual(['cleared:link_lost:medium']);
    expect(b.engine.active().map((x) => x.condition)).toEqual(['serial_port_gone']);
  });

  it('an unreadable persisted state is ignored', () => {
    const b = rig({ state: new MemoryPersistence('{"v":1,"alarms":"x"') });
    expect(b.engine.active()).toEqual([]);
  });
});

describe('rule updates (cmd/alarm-rules)', () => {
  const stricter = { ...TEST_RULES, rules: { ...TEST_RULES.rules, spo2: { low: { levels: [{ limit: 90, priority: 'high' }] } } } };

  it('a valid set is accepted with the next version and applies at once', () => {
    const r = rig();
    expect(r.engine.rulesVersion).toBe(1);
    expect(r.engine.setRules(stricter)).toEqual({ ok: true, version: 2 });
    r.read('spo2', 89);
    expect(r.kinds()).toEqual(['raised:spo2_low:high']);
  });

  it('an invalid set is refused with the path of each problem and the old set stays', () => {
    const r = rig();
    const res = r.engine.setRules({ rules: { spo2: { low: { levels: [{ limit: 85, priority: 'high' }, { limit: 88, priority: 'medium' }] } } }, audioPauseS: 600 });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error).toContain('alarms.rules.spo2.low.levels[1].limit');
    expect(res.error).toContain('alarms.audioPauseS');
    expect(r.engine.rulesVersion).toBe(1);
    expect(r.engine.setRules({ bogus: true }).ok).toBe(false);
    r.read('spo2', 89);
    expect(r.events).toEqual([]);
  });

  it('a requested version must be above the current one', () => {
    const r = rig();
    expect(r.engine.setRules(stricter, 5)).toEqual({ ok: true, version: 5 });
    expect(r.engine.setRules(stricter, 5)).toMatchObject({ ok: false });
    expect(r.engine.setRules(stricter, 4)).toMatchObject({ ok: false });
    expect(r.engine.setRules(stricter)).toEqual({ ok: true, version: 6 });
  });

  it('the accepted set is persisted and survives a restart; a changed config section wins', () => {
    const rulesState = new MemoryPersistence();
    const a = rig({ rulesState });
    a.engine.setRules(stricter, 3);
    a.engine.stop();
    const b = rig({ rulesState, clock: new FakeClock() });
    expect(b.engine.rulesVersion).toBe(3);
    expect(b.engine.rules().rules.spo2?.low?.levels[0]?.limit).toBe(90);
    b.engine.stop();
    const c = rig({ rulesState, clock: new FakeClock(), rules: rules({ ackTimeoutS: 120 }) });
    expect(c.engine.rulesVersion).toBe(4);
    expect(c.engine.rules().rules.spo2?.low?.levels[0]?.limit).toBe(88);
  });

  it('a rule removed by an update clears its active alarms', () => {
    const r = rig();
    r.read('glucose', 2.5);
    expect(r.engine.setRules({ ...TEST_RULES, rules: { spo2: TEST_RULES.rules.spo2 } }).ok).toBe(true);
    expect(r.kinds()).toEqual(['raised:glucose_low:high', 'cleared:glucose_low:high']);
    expect(r.events[1]?.text).toBe('alarm rule removed');
  });

  it('the command handler replies with the version or refuses with the error', () => {
    const r = rig();
    const [schema, handler] = r.engine.ruleCommand();
    const ok = schema.parse({ alarms: stricter, version: 2 });
    expect(handler(ok, { id: 'c1', name: 'alarm-rules' })).toEqual({ version: 2 });
    expect(() => handler(schema.parse({ alarms: { audioPauseS: 999 } }), { id: 'c2', name: 'alarm-rules' })).toThrow(/audioPauseS/);
    expect(schema.safeParse({}).success).toBe(false);
    expect(r.engine.rulesVersion).toBe(2);
  });
});
