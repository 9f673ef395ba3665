import { describe, expect, it } from 'vitest';
import { rig } from './helpers.js';

function raiseSpo2(r: ReturnType<typeof rig>, value = 87): string {
  r.read('spo2', value);
  r.stream('spo2', value, 15);
  const id = r.engine.active()[0]?.alarm;
  if (!id) throw new Error('not raised');
  return id;
}

describe('latching, acknowledge, audio pause, escalation', () => {
  it('a latching alarm stays after recovery until reset; reset is refused while the condition exists', () => {
    const r = rig();
    r.read('glucose', 3.5);
    const id = r.engine.active()[0]!.alarm;
    expect(r.engine.reset(id)).toBe(false);
    r.clock.advance(300_000);
    r.read('glucose', 5.5);
    expect(r.kinds()).toEqual(['raised:glucose_low:medium']);
    expect(r.engine.active()[0]).toMatchObject({ alarm: id, latched: true, acknowledged: false });
    expect(r.probe.last?.audio).toBe('medium');
    expect(r.engine.reset(id)).toBe(true);
    expect(r.kinds()).toEqual(['raised:glucose_low:medium', 'cleared:glucose_low:medium']);
    expect(r.engine.active()).toEqual([]);
    expect(r.engine.reset(id)).toBe(false);
  });

  it('acknowledging a latched alarm whose condition ended resets it', () => {
    const r = rig();
    r.read('glucose', 3.5);
    const id = r.engine.active()[0]!.alarm;
    r.clock.advance(300_000);
    r.read('glucose', 5.5);
    expect(r.engine.ack(id)).toBe(true);
    expect(r.kinds()).toEqual(['raised:glucose_low:medium', 'acknowledged:glucose_low:medium', 'cleared:glucose_low:medium']);
  });

  it('a latched alarm whose condition returns is the same instance; after a reset a new one is raised', () => {
    const r = rig();
    r.read('glucose', 3.5);
    const id = r.engine.active()[0]!.alarm;
    r.clock.advance(300_000);
    r.read('glucose', 5.5);
    r.clock.advance(300_000);
    r.read('glucose', 3.6);
    expect(r.engine.active()).toEqual([expect.objectContaining({ alarm: id, latched: false })]);
    expect(r.kinds()).toEqual(['raised:glucose_low:medium']);
    r.clock.advance(300_000);
    r.read('glucose', 5.5);
    r.engine.reset(id);
    r.clock.advance(300_000);
    r.read('glucose', 3.5);
    expect(r.engine.active()[0]?.alarm).not.toBe(id);
    expect(r.kinds()).toEqual(['raised:glucose_low:medium', 'cleared:glucose_low:medium', 'raised:glucose_low:medium']);
  });

  it('acknowledge silences the audio of this occurrence but keeps the visual signal', () => {
    const r = rig();
    const id = raiseSpo2(r);
    expect(r.engine.ack(id)).toBe(true);
    expect(r.probe.last).toEqual({ visual: 'medium', audio: null, paused: false });
    expect(r.engine.active()[0]?.acknowledged).toBe(true);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium', 'acknowledged:spo2_low:medium']);
    expect(r.engine.ack('nope')).toBe(false);
    // medium: the acknowledgement lasts for the occurrence
    r.stream('spo2', 87, 120);
    expect(r.probe.last?.audio).toBe(null);
  });

  it('an acknowledged high-priority alarm sounds again after ackTimeoutS while it persists', () => {
    const r = rig();
    r.read('spo2', 80);
    r.stream('spo2', 80, 10);
    const id = r.engine.active()[0]!.alarm;
    r.engine.ack(id);
    expect(r.probe.last?.audio).toBe(null);
    r.stream('spo2', 80, 59);
    expect(r.probe.last?.audio).toBe(null);
    r.stream('spo2', 80, 2);
    expect(r.probe.last).toEqual({ visual: 'high', audio: 'high', paused: false });
    expect(r.engine.active()[0]).toMatchObject({ alarm: id, acknowledged: false });
  });

  it('escalation to a higher level un-acknowledges (the new priority must be heard)', () => {
    const r = rig();
    const id = raiseSpo2(r);
    r.engine.ack(id);
    r.stream('spo2', 84, 11);
    expect(r.probe.last?.audio).toBe('high');
  });

  it('the global audio pause lasts at most 2 minutes', () => {
    const r = rig();
    raiseSpo2(r);
    expect(r.engine.pauseAudio(600)).toBe(120);
    expect(r.probe.last).toEqual({ visual: 'medium', audio: null, paused: true });
    expect(r.kinds()).toContain('paused:spo2_low:medium');
    r.stream('spo2', 87, 119);
    expect(r.probe.last?.paused).toBe(true);
    r.stream('spo2', 87, 2);
    expect(r.probe.last).toEqual({ visual: 'medium', audio: 'medium', paused: false });
  });

  it('a new alarm of higher priority than any paused one ends the pause; a lower one does not', () => {
    const r = rig();
    raiseSpo2(r);
    r.engine.pauseAudio();
    r.engine.technical({ code: 'uplink_down', active: true, text: 'uplink down' });
    expect(r.probe.last?.paused).toBe(true);
    r.engine.technical({ code: 'ble_adapter_unavailable', active: true, text: 'adapter gone' });
    expect(r.probe.last).toEqual({ visual: 'high', audio: 'high', paused: false });
  });

  it('a persisting condition escalates medium → high after escalateAfterS', () => {
    const r = rig();
    raiseSpo2(r);
    r.stream('spo2', 87, 299);
    expect(r.engine.active()[0]?.priority).toBe('medium');
    r.stream('spo2', 87, 2);
    expect(r.kinds()).toEqual(['raised:spo2_low:medium', 'escalated:spo2_low:high']);
    expect(r.probe.last?.audio).toBe('high');
  });

  it('the highest active priority drives the signals', () => {
    const r = rig();
    r.engine.technical({ code: 'clock_unsynced', active: true, text: 'clock' });
    expect(r.probe.last).toEqual({ visual: 'low', audio: 'low', paused: false });
    r.read('glucose', 2.5);
    expect(r.probe.last).toEqual({ visual: 'high', audio: 'high', paused: false });
    r.engine.ack(r.engine.active()[0]!.alarm);
    expect(r.probe.last).toEqual({ visual: 'high', audio: 'low', paused: false });
    expect(r.engine.active().map((a) => a.priority)).toEqual(['high', 'low']);
  });

  it('alarm-test asks every annunciator for every priority once', () => {
    const r = rig();
    r.engine.test();
    expect(r.probe.tests).toEqual([['high', 'medium', 'low']]);
    expect(r.events).toEqual([]);
  });
});
