import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { UplinkWatch } from '../../src/alarms/uplink-watch.js';
import type { TechnicalCondition } from '../../src/alarms/types.js';

describe('UplinkWatch', () => {
  it('raises uplink_down after the configured minutes down and clears on reconnect', () => {
    const clock = new FakeClock();
    const got: TechnicalCondition[] = [];
    const w = new UplinkWatch({ clock, minutes: 30, technical: (c) => got.push(c) });
    w.update('connected');
    w.update('disconnected');
    w.update('connecting'); // still down: the timer keeps running
    clock.advance(30 * 60_000 - 1);
    expect(got).toEqual([]);
    clock.advance(1);
    expect(got.map((c) => [c.code, c.active])).toEqual([['uplink_down', true]]);
    w.update('connected');
    expect(got.map((c) => [c.code, c.active])).toEqual([['uplink_down', true], ['uplink_down', false]]);
  });

  it('a short outage raises nothing; the wall clock stepping does not matter', () => {
    const clock = new FakeClock();
    const got: TechnicalCondition[] = [];
    const w = new UplinkWatch({ clock, minutes: 5, technical: (c) => got.push(c) });
    w.update('disconnected');
    clock.stepWall(3600_000);
    clock.advance(4 * 60_000);
    w.update('connected');
    clock.advance(10 * 60_000);
    expect(got).toEqual([]);
    w.update('disconnected');
    w.stop();
    clock.advance(10 * 60_000);
    expect(got).toEqual([]);
  });
});
