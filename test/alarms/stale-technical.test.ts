import { describe, expect, it } from 'vitest';
import { rig } from './helpers.js';

describe('stale data, technical conditions, device alarms', () => {
  it('no reading for N × the expected interval raises stale_data per device+metric; a reading clears it', () => {
    const r = rig();
    r.read('spo2', 97);
    r.clock.advance(30_000);
    expect(r.events).toHaveLength(0);
    r.clock.advance(1000);
    expect(r.kinds()).toEqual(['raised:stale_data:medium']);
    expect(r.events[0]).toMatchObject({ category: 'technical', device: 'oxi-1', metric: 'spo2' });
    r.clock.advance(60_000);
    expect(r.events).toHaveLength(1); // raised once, not per tick
    r.read('spo2', 97);
    expect(r.kinds()).toEqual(['raised:stale_data:medium', 'cleared:stale_data:medium']);
  });

  it('glucose goes stale after 3 × 5 min', () => {
    const r = rig();
    r.read('glucose', 6);
    r.clock.advance(900_000);
    expect(r.events).toHaveLength(0);
    r.clock.advance(1000);
    expect(r.kinds()).toEqual(['raised:stale_data:medium']);
  });

  it('a pending condition does not become an alarm on the old value once the source is stale', () => {
    const r = rig();
    r.read('glucose', 14.5); // high with a 15 min delay
    r.clock.advance(2 * 3600_000);
    expect(r.kinds()).toEqual(['raised:stale_data:medium']);
  });

  it('an acknowledged high alarm does not re-sound after its timeout while the source is stale; the stale alarm takes over', () => {
    const r = rig();
    r.read('spo2', 80);
    r.stream('spo2', 80, 10);
    const id = r.engine.active()[0]!.alarm;
    r.engine.ack(id);
    r.clock.advance(300_000);
    expect(r.engine.active().find((a) => a.alarm === id)?.acknowledged).toBe(true);
    expect(r.kinds()).toEqual(['raised:spo2_low:high', 'acknowledged:spo2_low:high', 'raised:stale_data:medium']);
    expect(r.probe.last).toEqual({ visual: 'high', audio: 'medium', paused: false });
    // no escalation either on old values
    expect(r.events.filter((e) => e.event === 'escalated')).toHaveLength(0);
    // fresh data that still crosses: the expired acknowledgement now lets it sound
    r.read('spo2', 80);
    r.clock.advance(1000);
    expect(r.probe.last?.audio).toBe('high');
  });

  it('technical conditions raise at the table priority, update silently and clear', () => {
    const r = rig();
    r.engine.technical({ code: 'link_lost', device: 'oxi-1', active: true, text: 'link lost' });
    r.engine.technical({ code: 'link_lost', device: 'oxi-1', active: true, text: 'link lost (retrying)' });
    r.engine.technical({ code: 'ble_adapter_unavailable', active: true, text: 'hci0 gone' });
    r.engine.technical({ code: 'clock_unsynced', active: true, text: 'clock' });
    r.engine.technical({ code: 'something_new', active: true, text: 'x' });
    expect(r.kinds()).toEqual(['raised:link_lost:medium', 'raised:ble_adapter_unavailable:high', 'raised:clock_unsynced:low', 'raised:something_new:medium']);
    expect(r.engine.active().find((a) => a.condition === 'link_lost')?.text).toBe('link lost (retrying)');
    r.engine.technical({ code: 'link_lost', device: 'oxi-1', active: false, text: 'link back' });
    expect(r.kinds()).toContain('cleared:link_lost:medium');
    r.engine.technical({ code: 'link_lost', device: 'oxi-1', active: false, text: 'link back' });
    expect(r.events.filter((e) => e.event === 'cleared')).toHaveLength(1);
  });

  it('the table is kind-aware: a ventilator link_lost and serial_port_gone are high, an oximeter one medium', () => {
    const r = rig();
    r.engine.technical({ code: 'link_lost', device: 'vent-1', kind: 'ventilator', active: true, text: 'vent silent' });
    r.engine.technical({ code: 'serial_port_gone', device: 'vent-1', kind: 'ventilator', active: true, text: 'port gone' });
    r.engine.technical({ code: 'link_lost', device: 'oxi-1', kind: 'oximeter', active: true, text: 'oxi gone' });
    r.engine.technical({ code: 'ble_adapter_stuck', active: true, text: 'stuck' });
    expect(r.kinds()).toEqual(['raised:link_lost:high', 'raised:serial_port_gone:high', 'raised:link_lost:medium', 'raised:ble_adapter_stuck:high']);
  });

  it('config technical priorities override the table', () => {
    const r = rig({ rules: (() => { const x = rigRules(); x.technical = { uplink_down: 'high' }; return x; })() });
    r.engine.technical({ code: 'uplink_down', active: true, text: 'down' });
    expect(r.kinds()).toEqual(['raised:uplink_down:high']);
  });

  it("repeats the ventilator's own alarms as device_<code>, categorised", () => {
    const r = rig();
    r.engine.deviceAlarm('vent-1', { code: 'cp1:0x9A', priority: 'high', text: 'Disconnection', active: true });
    r.engine.deviceAlarm('vent-1', { code: 'cp1:0x21', priority: 'low', text: 'Internal battery low', active: true });
    r.engine.deviceAlarm('vent-1', { code: 'cp1:0x30', priority: 'medium', text: 'Leak high', active: true, category: 'technical' });
    expect(r.events.map((e) => [e.condition, e.category, e.priority, e.device])).toEqual([
      ['device_cp1_0x9a', 'physiological', 'high', 'vent-1'],
      ['device_cp1_0x21', 'technical', 'low', 'vent-1'],
      ['device_cp1_0x30', 'technical', 'medium', 'vent-1'],
    ]);
    r.engine.deviceAlarm('vent-1', { code: 'cp1:0x9A', priority: 'high', text: 'Disconnection', active: false });
    expect(r.kinds()).toContain('cleared:device_cp1_0x9a:high');
  });

  it('a technical condition reported from inside an annunciator call is handled after it', () => {
    const r = rig();
    const orig = r.probe.signal.bind(r.probe);
    let once = false;
    r.probe.signal = (s) => { orig(s); if (!once) { once = true; r.probe.report?.({ code: 'annunciator_failed', device: 'annunciator:probe', active: true, text: 'broken' }); } };
    r.engine.technical({ code: 'clock_unsynced', active: true, text: 'clock' });
    expect(r.kinds()).toEqual(['raised:clock_unsynced:low', 'raised:annunciator_failed:medium']);
    expect(r.probe.last?.visual).toBe('medium');
  });
});

import { rules as rigRules } from './helpers.js';
