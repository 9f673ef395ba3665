import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatedCentral } from '../../src/transport/ble/noble-central.js';
import { superviseBleLink } from '../../src/transport/ble/supervisor.js';
import { PlxsSimulator } from '../../drivers/oximeter-plxs/simulator.js';
import { createPlxsSession } from '../../drivers/oximeter-plxs/session.js';
import { advance, fakeDriverContext } from '../helpers/fake-driver-context.js';

// Real noble central over the simulated bindings, the production BLE supervisor and the
// production DriverContext/link owner over a real engine, registry and store.
const ADDRESS = '00:1C:05:FF:4E:21';
const log = silentLogger();
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

function setup() {
  const clock = new FakeClock();
  const sim = new PlxsSimulator({ address: ADDRESS, clock, scenario: 'normal', spotCheckEveryMs: 0 });
  const { central, bindings } = createSimulatedCentral([sim], { log, clock });
  const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'oxi-1', kind: 'oximeter', address: ADDRESS } });
  cleanup.push(async () => { sim.stop(); await central.close(); });
  return { clock, sim, central, bindings, ctx };
}

describe('BLE link: one owner, raised and cleared from facts', () => {
  it('a flapping link that connects but never sets a session up raises link_lost after lostAfter (a bare connect is no proof of life)', async () => {
    const { clock, central, bindings, ctx } = setup();
    let setupWorks = false;
    const s = superviseBleLink({
      central, address: ADDRESS, log, clock, linkFact: (f) => ctx.linkFact(f),
      run: async () => { if (!setupWorks) throw new Error('GATT setup refused'); },
      backoffMinMs: 500, backoffMaxMs: 2000, lostAfterMs: 30_000, random: () => 0.5,
    });
    cleanup.push(() => s.stop());
    await advance(clock, 29_000, 250);
    expect(ctx.technicalActive('link_lost')).toBe(false);
    const connectsBefore = bindings.stats.connects;
    await advance(clock, 3000, 250);
    expect(ctx.technicalActive('link_lost')).toBe(true);
    expect(ctx.active('link_lost')?.priority).toBe('medium'); // oximeter: medium (ventilator: high)
    expect(connectsBefore).toBeGreaterThanOrEqual(5); // it really flapped: connected again and again
    expect(ctx.link()).toBe('lost');
    // more flapping does not clear it
    await advance(clock, 20_000, 250);
    expect(ctx.technicalActive('link_lost')).toBe(true);
    expect(ctx.alarmEvents.filter((e) => e.condition === 'link_lost').map((e) => e.event)).toEqual(['raised']);
    // the session can be set up again: the device answered, the alarm ends
    setupWorks = true;
    await advance(clock, 5000, 250);
    expect(ctx.technicalActive('link_lost')).toBe(false);
    expect(ctx.link()).toBe('connected');
  });

  it('out of radio range: lost after lostAfter, stays lost while reconnect attempts fail, cleared by the first data', async () => {
    const { clock, sim, ctx } = setup();
    const session = createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
    cleanup.push(() => session.stop());
    await session.start();
    await advance(clock, 3000, 250);
    expect(ctx.link()).toBe('connected');
    sim.setInRange(false);
    await advance(clock, 25_000, 500);
    expect(ctx.technicalActive('link_lost')).toBe(false);
    await advance(clock, 10_000, 500);
    expect(ctx.technicalActive('link_lost')).toBe(true);
    await advance(clock, 60_000, 500);
    expect(ctx.link()).toBe('lost');
    const n = ctx.metric('spo2').length;
    sim.setInRange(null);
    await advance(clock, 10_000, 250);
    expect(ctx.metric('spo2').length).toBeGreaterThan(n);
    expect(ctx.technicalActive('link_lost')).toBe(false);
    expect(ctx.alarmEvents.filter((e) => e.condition === 'link_lost').map((e) => e.event)).toEqual(['raised', 'cleared']);
  });

  it('no BLE adapter at all: the device is lost and ble_adapter_unavailable is raised high', async () => {
    const clock = new FakeClock();
    const ctx = fakeDriverContext({ clock, log, device: { id: 'oxi-1', kind: 'oximeter', address: ADDRESS } });
    const session = createPlxsSession(ctx, { lostAfterMs: 30_000 });
    await session.start();
    await session.stop();
    expect(ctx.link()).toBe('lost');
    expect(ctx.active('ble_adapter_unavailable')?.priority).toBe('high');
    expect(ctx.active('link_lost')?.priority).toBe('medium');
  });
});
