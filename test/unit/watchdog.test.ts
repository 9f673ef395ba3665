import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { Watchdog } from '../../src/health/watchdog.js';

describe('systemd watchdog', () => {
  it('does nothing outside systemd', () => {
    const w = new Watchdog({ clock: new FakeClock(), log: silentLogger(), checks: [], env: {} });
    expect(w.enabled).toBe(false);
    expect(w.beat()).toBe(true);
  });

  it('pings only while every check passes', () => {
    let alarmTick = 0;
    const clock = new FakeClock();
    const w = new Watchdog({ clock, log: silentLogger(), env: {}, checks: [() => (clock.mono() - alarmTick > 5000 ? 'alarm engine stalled' : null)] });
    expect(w.beat()).toBe(true);
    clock.advance(6000);
    expect(w.beat()).toBe(false); // a stuck alarm loop: no ping, systemd restarts the hub
    alarmTick = clock.mono();
    expect(w.beat()).toBe(true);
  });
});
