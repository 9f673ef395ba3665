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

// TEST_RULES plus a pulse rule: a set that respects the shipped safety floor (config/alarms.floor.yaml).
const PULSE = { low: { levels: [{ limit: 40, priority: 'medium', delayS: 30 }] }, high: { levels: [{ limit: 130, priority: 'medium', delayS: 30 }] } };
const VENT = { paw_peak: { staleAfterIntervals: 5 }, resp_rate: { staleAfterIntervals: 5 } };
// Blood pressure monitor and glucose meter rules the floor requires (config/alarms.floor.yaml).
const SPOT = {
  bp_systolic: { high: { levels: [{ limit: 180, priority: 'low' }] }, low: { levels: [{ limit: 90, priority: 'low' }] } },
  bp_diastolic: { high: { levels: [{ limit: 110, priority: 'low' }] } },
  capillary_glucose: { low: { levels: [{ limit: 3.9, priority: 'medium' }, { limit: 3.0, priority: 'high' }] }, high: { levels: [{ limit: 13.9, priority: 'low' }] } },
  capillary_glucose_wb: { low: { levels: [{ limit: 3.0, priority: 'high' }] } },
};
const FLOORED = { ...TEST_RULES, rules: { ...TEST_RULES.rules, pulse_rate: PULSE, ...VENT, ...SPOT } };

describe('rule updates (cmd/alarm-rules)', () => {
  const stricter = { ...FLOORED, rules: { ...FLOORED.rules, spo2: { low: { levels: [{ limit: 90, priority: 'high' }] } } } };

  it('a valid set is accepted with the next version and applies at once', () => {
    const r = rig();
    expect(r.engine.rulesVersion).toBe(1);
    expect(r.engine.setRules(stricter)).toMatchObject({ ok: true, version: 2 });
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

  it('a requested version must be above the current one and below 2^48', () => {
    const r = rig();
    expect(r.engine.setRules(stricter, 5)).toMatchObject({ ok: true, version: 5 });
    expect(r.engine.setRules(stricter, 5)).toMatchObject({ ok: false });
    expect(r.engine.setRules(stricter, 4)).toMatchObject({ ok: false });
    // the lock: 2^53-1 would make every later version impossible
    const lock = r.engine.setRules(stricter, Number.MAX_SAFE_INTEGER);
    expect(lock).toMatchObject({ ok: false, error: expect.stringContaining('2^48') });
    expect(r.engine.setRules(stricter, 2 ** 48)).toMatchObject({ ok: false });
    expect(r.engine.setRules(stricter, 2 ** 48 - 1)).toMatchObject({ ok: true, version: 2 ** 48 - 1 });
    expect(r.engine.setRules(stricter)).toMatchObject({ ok: false, error: expect.stringContaining('2^48') });
  });

  it('the accepted set is persisted with its history and survives a restart; a changed config section wins', () => {
    const rulesState = new MemoryPersistence();
    const a = rig({ rulesState });
    a.engine.setRules(stricter, 3, 'ed25519:abcd');
    a.engine.stop();
    const b = rig({ rulesState, clock: new FakeClock() });
    expect(b.engine.rulesVersion).toBe(3);
    expect(b.engine.rules().rules.spo2?.low?.levels[0]?.limit).toBe(90);
    expect(b.engine.ruleChanges()).toEqual([expect.objectContaining({ version: 3, by: 'ed25519:abcd', source: 'remote', changes: expect.arrayContaining(['rules.spo2.low.levels[0].limit: 88 → 90']) })]);
    expect(b.engine.rulesInForce()).toMatchObject({ v: 1, version: 3, source: 'remote', by: 'ed25519:abcd' });
    b.engine.stop();
    const c = rig({ rulesState, clock: new FakeClock(), rules: rules({ ackTimeoutS: 120 }) });
    expect(c.engine.rulesVersion).toBe(4);
    expect(c.engine.rules().rules.spo2?.low?.levels[0]?.limit).toBe(88);
    expect(c.engine.rulesInForce()).toMatchObject({ version: 4, source: 'config', by: 'local' });
  });

  it('a persisted remote set that crosses the floor is not restored (a set stored by an older version)', () => {
    const rulesState = new MemoryPersistence();
    const a = rig({ rulesState });
    a.engine.setRules(stricter, 3);
    a.engine.stop();
    // what the old code accepted and stored: every rule gone
    const stored = JSON.parse(rulesState.value!) as Record<string, unknown>;
    rulesState.value = JSON.stringify({ ...stored, section: { mode: 'replace', rules: {} } });
    const b = rig({ rulesState, clock: new FakeClock() });
    expect(b.engine.rulesVersion).toBe(4);
    expect(Object.keys(b.engine.rules().rules).sort()).toEqual(['glucose', 'spo2']);
    expect(b.engine.rulesInForce().source).toBe('config');
  });

  it('a rule removed by an update does not clear its active alarm: it ends by the normal clearing path', () => {
    // the technician's floor lets glucose go (the shipped floor would refuse the removal)
    const r = rig({ rules: rules({ floor: { metrics: { glucose: { required: false } } } }) });
    r.read('glucose', 2.5);
    expect(r.engine.setRules({ ...FLOORED, rules: { spo2: FLOORED.rules.spo2, pulse_rate: PULSE, ...VENT, ...SPOT } }).ok).toBe(true);
    expect(r.kinds()).toEqual(['raised:glucose_low:high']);
    expect(r.engine.active().map((a) => a.condition)).toEqual(['glucose_low']);
    expect(r.engine.rules().rules.glucose).toBeUndefined();
    r.clock.advance(300_000);
    r.read('glucose', 3.5); // still low: stays
    expect(r.kinds()).toEqual(['raised:glucose_low:high']);
    r.clock.advance(300_000);
    r.read('glucose', 5.5);
    // glucose lows latch: the condition ended the normal way, the alarm waits for acknowledgement
    const latched = r.engine.active()[0]!;
    expect(latched).toMatchObject({ condition: 'glucose_low', latched: true });
    r.engine.ack(latched.alarm);
    expect(r.kinds()).toEqual(['raised:glucose_low:high', 'acknowledged:glucose_low:high', 'cleared:glucose_low:high']);
    // the rule is really gone now: a new low raises nothing
    r.clock.advance(300_000);
    r.read('glucose', 2.0);
    expect(r.kinds()).toHaveLength(3);
  });

  it('a non-latching alarm whose rule was removed clears with the next value back inside its limit', () => {
    const r = rig({ rules: rules({ floor: { metrics: { spo2: { required: false } } } }) });
    r.read('spo2', 87);
    r.stream('spo2', 87, 15);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium']);
    expect(r.engine.setRules({ ...FLOORED, rules: { glucose: FLOORED.rules.glucose, pulse_rate: PULSE, ...VENT, ...SPOT } }).ok).toBe(true);
    r.stream('spo2', 87, 5);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium']);
    r.stream('spo2', 95, 1);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium', 'cleared:spo2_low:medium']);
    expect(r.events[1]?.text).toBe('SpO2 95 %: low limit no longer crossed');
    r.stream('spo2', 80, 30);
    expect(r.kinds()).toHaveLength(2);
  });

  it('an alarm whose rule was removed goes through the stale path when its device falls silent', () => {
    const r = rig({ rules: rules({ floor: { metrics: { glucose: { required: false } } } }) });
    r.read('glucose', 2.5);
    r.engine.setRules({ ...FLOORED, rules: { spo2: FLOORED.rules.spo2, pulse_rate: PULSE, ...VENT, ...SPOT } });
    r.clock.advance(3 * 300_000 + 2000);
    expect(r.kinds()).toEqual(['raised:glucose_low:high', 'raised:stale_data:medium']);
    expect(r.engine.active().map((a) => a.condition).sort()).toEqual(['glucose_low', 'stale_data']);
  });

  it('an accepted change is announced once through every annunciator as an information signal', () => {
    const informed: string[] = [];
    const r = rig();
    Object.assign(r.probe, { inform: (t: string) => { informed.push(t); } });
    r.engine.setRules(stricter, 7, 'unsigned');
    r.engine.setRules({ rules: {} , mode: 'replace' }, 8);
    expect(informed).toEqual([expect.stringMatching(/^Alarm rules changed remotely: version 7 by unsigned \(\d+ changes?\)$/)]);
  });

  it('the command handler replies with the version or refuses with the error', () => {
    const r = rig();
    const [schema, handler] = r.engine.ruleCommand();
    const ok = schema.parse({ alarms: stricter, version: 2 });
    expect(handler(ok, { id: 'c1', name: 'alarm-rules', signer: 'unsigned' })).toMatchObject({ version: 2 });
    expect(() => handler(schema.parse({ alarms: { audioPauseS: 999 }, version: 3 }), { id: 'c2', name: 'alarm-rules' })).toThrow(/audioPauseS/);
    expect(schema.safeParse({}).success).toBe(false);
    // version is required and bounded
    expect(schema.safeParse({ alarms: stricter }).success).toBe(false);
    expect(schema.safeParse({ alarms: stricter, version: Number.MAX_SAFE_INTEGER }).success).toBe(false);
    expect(r.engine.rulesVersion).toBe(2);
  });
});
