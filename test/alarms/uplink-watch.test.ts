import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { UPLINK_STABLE_MS, UplinkWatch } from '../../src/alarms/uplink-watch.js';
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
    clock.advance(UPLINK_STABLE_MS - 1);
    expect(got.map((c) => [c.code, c.active])).toEqual([['uplink_down', true]]); // not yet stable
    clock.advance(1);
    expect(got.map((c) => [c.code, c.active])).toEqual([['uplink_down', true], ['uplink_down', false]]);
  });

  it('a flapping connection (up for seconds, then knocked off again) does not reset the down time', () => {
    const clock = new FakeClock();
    const got: TechnicalCondition[] = [];
    const w = new UplinkWatch({ clock, minutes: 30, technical: (c) => got.push(c) });
    w.update('connecting');
    // two hubs with one client id: each connection is taken over within seconds (issue 9 item 8)
    for (let t = 0; t < 31 * 60; t += 10) {
      w.update('connected');
      clock.advance(3_000);
      w.update('disconnected');
      clock.advance(7_000);
    }
    expect(got.map((c) => [c.code, c.active])).toEqual([['uplink_down', true]]);
    w.update('connected');
    clock.advance(UPLINK_STABLE_MS);
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
