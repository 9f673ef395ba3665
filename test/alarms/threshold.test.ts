import { describe, expect, it } from 'vitest';
import { rig } from './helpers.js';

describe('threshold alarms: delay, levels, hysteresis, clearing', () => {
  it('raises only after the condition delay, with the value and limit in the event', () => {
    const r = rig();
    r.read('spo2', 87);
    r.stream('spo2', 87, 14);
    expect(r.events).toHaveLength(0);
    r.stream('spo2', 87, 1);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium']);
    const ev = r.events[0]!;
    expect(ev).toMatchObject({ v: 1, hub: 'hub-test', category: 'physiological', device: 'oxi-1', metric: 'spo2', value: 87, limit: 88 });
    expect(ev.text).toBe('SpO2 87 % below 88 % for 15 s');
    expect(r.probe.last).toEqual({ visual: 'medium', audio: 'medium', paused: false });
  });

  it('a value back inside the limit during the delay restarts the delay', () => {
    const r = rig();
    r.stream('spo2', 87, 10);
    r.stream('spo2', 95, 1);
    r.stream('spo2', 87, 14);
    expect(r.events).toHaveLength(0);
    r.stream('spo2', 87, 2);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium']);
  });

  it('the delay also elapses on the tick when readings are slower than the delay', () => {
    const r = rig();
    r.read('glucose', 14.5);
    r.clock.advance(600_000);
    r.read('glucose', 14.4);
    expect(r.events).toHaveLength(0);
    r.clock.advance(301_000);
    expect(r.kinds()).toEqual(['raised:glucose_high:low']);
  });

  it('one condition per metric and direction: its priority follows the worst level crossed', () => {
    const r = rig();
    r.read('spo2', 87);
    r.stream('spo2', 87, 15);
    r.stream('spo2', 84, 11);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium', 'escalated:spo2_low:high']);
    expect(r.events[0]!.alarm).toBe(r.events[1]!.alarm);
    expect(r.events[1]!.limit).toBe(85);
    expect(r.engine.active()).toHaveLength(1);
    expect(r.probe.last?.audio).toBe('high');
    // back between the levels: still the same occurrence, priority does not fall back
    r.stream('spo2', 87, 5);
    expect(r.engine.active()[0]?.priority).toBe('high');
  });

  it('a severe level with a shorter delay raises directly at its priority', () => {
    const r = rig();
    r.read('spo2', 80);
    r.stream('spo2', 80, 9);
    expect(r.events).toHaveLength(0);
    r.stream('spo2', 80, 1);
    expect(r.kinds()).toEqual(['raised:spo2_low:high']);
  });

  it('clears automatically only once the value is back past the hysteresis', () => {
    const r = rig();
    r.read('spo2', 87);
    r.stream('spo2', 87, 15);
    r.stream('spo2', 88, 3); // at the limit, within hysteresis 1
    expect(r.engine.active()).toHaveLength(1);
    r.stream('spo2', 88.9, 1);
    expect(r.engine.active()).toHaveLength(1);
    r.stream('spo2', 89, 1);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium', 'cleared:spo2_low:medium']);
    expect(r.engine.active()).toHaveLength(0);
    expect(r.probe.last).toEqual({ visual: null, audio: null, paused: false });
    expect(r.lists[r.lists.length - 1]).toEqual([]);
  });

  it('alarms per device are separate instances', () => {
    const r = rig();
    r.clock.advance(1000);
    for (let i = 0; i < 16; i++) { r.clock.advance(1000); r.read('spo2', 87, 'oxi-1'); r.read('spo2', 86, 'oxi-2'); }
    expect(r.engine.active().map((a) => a.device).sort()).toEqual(['oxi-1', 'oxi-2']);
  });

  it('a fast fall raises the rate condition once the window holds enough readings', () => {
    const r = rig();
    let v = 9;
    r.read('glucose', v);
    for (let i = 0; i < 2; i++) { r.clock.advance(300_000); v -= 1.0; r.read('glucose', v); } // -0.2 mmol/L/min over 10 min
    expect(r.kinds()).toEqual(['raised:glucose_falling:low']);
    expect(r.events[0]!.limit).toBe(-0.17);
    r.clock.advance(300_000); r.read('glucose', v);
    r.clock.advance(300_000); r.read('glucose', v + 0.2);
    expect(r.kinds()).toContain('cleared:glucose_falling:low');
  });

  it('ignores backfilled and invalid readings', () => {
    const r = rig();
    r.read('glucose', 2.5, 'cgm-1', ['stored']);
    r.read('glucose', 2.5, 'cgm-1', ['invalid']);
    expect(r.events).toHaveLength(0);
  });
});
