import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/rig/load-scenario.js';
import { planTimeline, type RigActions } from '../../src/rig/timeline.js';

const VALID = `
name: ok
duration: 30
devices:
  - { id: oxi-1, kind: oximeter, transport: ble, simulate: desaturation }
  - { id: vent-1, kind: ventilator, transport: serial, simulate: normal }
timeline:
  - { at: 5, action: broker-down, seconds: 10 }
  - { at: 6, action: ble-link-drop, device: oxi-1, seconds: 4 }
  - { at: 5, action: garbage-bytes, device: vent-1 }
expect:
  - alarm-raised: { condition: spo2_low, device: oxi-1, within: 40 }
  - no-reading-lost: true
  - delivered-exactly-once-per-id: { from: 5, to: 15 }
`;

function problems(text: string): string[] {
  const r = parseScenario(text);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('rig scenario schema', () => {
  it('accepts a valid scenario and fills defaults', () => {
    const r = parseScenario(VALID);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.broker).toBe('spawn');
    expect(r.scenario.drain).toBe(20);
    expect(r.scenario.hub.id).toBe('hub-rig');
    const g = r.scenario.timeline[2];
    expect(g?.action === 'garbage-bytes' && g.count).toBe(64);
    const raised = r.scenario.expect[0]?.['alarm-raised'];
    expect(raised?.after).toBe(0);
  });

  it('reports every shape problem with its path and line', () => {
    const list = problems(`
name: bad
duration: 30
devices:
  - { id: oxi-1, kind: oximeter, transport: ble, simulate: desat }
  - { id: vent-1, kind: ventilator, transport: serial, path: /dev/ttyUSB0 }
timeline:
  - { at: 5, action: power-cut }
  - { at: 8, action: clock-jump, seconds: 0 }
  - { at: 9, action: ble-link-drop, device: oxi-1 }
expect:
  - alarm-raised: { condition: spo2_low, within: -1 }
  - sounds-nice: true
  - {}
`);
    expect(list).toEqual([
      'devices[0].simulate: unknown oximeter scenario "desat" (one of normal, desaturation, finger-out, out-of-range)',
      'devices[1].simulate: required: a rig device is served by the built-in simulator (normal, disconnection, apnea, high-leak)',
      expect.stringMatching(/^timeline\[0\]\.action: unsupported action; one of broker-down, broker-up, hub-kill, .*garbage-bytes, clock-jump$/),
      'timeline[1].seconds: a jump of 0 s does nothing',
      'timeline[2].seconds: required (number)',
      expect.stringMatching(/^expect\[0\]\.alarm-raised\.within: /),
      expect.stringMatching(/^expect\[1\]\.sounds-nice: unsupported expectation; one of alarm-raised, alarm-cleared/),
      expect.stringMatching(/^expect\[2\]: exactly one expectation per entry/),
    ]);
  });

  it('checks references between devices, timeline and expectations', () => {
    const r = parseScenario(`
name: refs
duration: 30
devices:
  - { id: oxi-1, kind: oximeter, transport: ble, simulate: normal }
  - { id: vent-1, kind: ventilator, transport: serial, simulate: apnea }
timeline:
  - { at: 40, action: hub-kill }
  - { at: 6, action: ble-link-drop, device: vent-1, seconds: 4 }
  - { at: 7, action: serial-cable-pull, device: nope, seconds: 4 }
  - { at: 8, action: serial-cable-pull, device: oxi-1, seconds: 4 }
expect:
  - min-readings: { device: ghost, count: 3 }
  - alarm-cleared: { condition: x, device: oxi-9, within: 3 }
`);
    if (r.ok) throw new Error('expected problems');
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'timeline[0].at: after the end of the scenario (duration 30 s)',
      'timeline[1].device: vent-1 is not a BLE device',
      'timeline[2].device: no device "nope" in devices',
      'timeline[3].device: oxi-1 is not a serial device',
      'expect[0].min-readings.device: no device "ghost" in devices',
      'expect[1].alarm-cleared.device: no device "oxi-9" in devices',
    ]);
    expect(r.problems[1]?.line).toBe(9);
  });

  it('rejects broker faults against an external broker and unknown keys', () => {
    const list = problems(`
name: ext
duration: 10
broker: { url: "mqtt://127.0.0.1:1883" }
devices: [ { id: c, kind: cgm, transport: ble, simulate: hypo-fast } ]
timeline: [ { at: 1, action: broker-down, sekunden: 3 } ]
expect: [ { in-order-per-device: true } ]
colour: red
`);
    expect(list).toEqual(expect.arrayContaining(['timeline[0].sekunden: unknown key', 'colour: unknown key']));
    expect(problems(VALID.replace('- { at: 5, action: broker-down, seconds: 10 }', '- { at: 5, action: broker-down }').replace('name: ok', 'name: ok\nbroker: { url: "mqtt://127.0.0.1:1" }')))
      .toContain('timeline[0].action: broker-down needs broker: spawn (the rig cannot stop an external broker)');
  });

  it('reports YAML syntax errors and a non-mapping file', () => {
    expect(problems('name: [oops')[0]).toMatch(/^\(file\): scenario: YAML/);
    expect(problems('- just a list')).toEqual(['(root): a scenario is a YAML mapping with name, duration, devices, timeline, expect']);
  });

  it('plans the timeline in time order with the undo steps of timed faults', () => {
    const r = parseScenario(VALID);
    if (!r.ok) throw new Error('invalid');
    const calls: string[] = [];
    const a: RigActions = {
      brokerDown: async () => { calls.push('down'); },
      brokerUp: async () => { calls.push('up'); },
      hubKill: async () => { calls.push('kill'); },
      hubStart: async () => { calls.push('start'); },
      hubRestart: async () => { calls.push('restart'); },
      diskBudget: async (n) => { calls.push(`budget ${n}`); },
      fault: async (f) => { calls.push(`fault ${JSON.stringify(f)}`); },
    };
    const plan = planTimeline(r.scenario, a);
    expect(plan.map((p) => [p.at, p.label])).toEqual([
      [5, 'timeline[0] broker-down'],
      [5, 'timeline[2] garbage-bytes vent-1'],
      [6, 'timeline[1] ble-link-drop oxi-1'],
      [15, 'timeline[0] broker-down (back up)'],
    ]);
  });
});
