import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatedCentral } from '../../src/transport/ble/noble-central.js';
import { CgmsSession } from '../../drivers/cgm-cgms/session.js';
import { createCgmSimulator } from '../../drivers/cgm-cgms/simulator.js';
import { PlxsSimulator } from '../../drivers/oximeter-plxs/simulator.js';
import { createPlxsSession } from '../../drivers/oximeter-plxs/session.js';
import { advance, fakeDriverContext, flush } from '../helpers/fake-driver-context.js';

// Security-required characteristics through the real noble central over the simulated
// bindings, the production supervisor and driver, and the real alarm engine.
const ADDRESS = 'C4:7A:11:02:33:9E';
const log = silentLogger();
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

function cgmRig(bonded: boolean) {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
  const sim = createCgmSimulator({ clock, log, address: ADDRESS, scenario: 'normal-fast' });
  const { central, bindings } = createSimulatedCentral([sim], { log, clock, bonded });
  const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'cgm-1', kind: 'cgm', transport: 'ble', address: ADDRESS } });
  const session = new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 5000 });
  cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
  return { clock, sim, central, bindings, ctx, session, security: bindings.securityOf(ADDRESS)! };
}

const pairingAlarm = (ctx: ReturnType<typeof cgmRig>['ctx']) => ctx.active('ble_pairing_required');
/** The device's bond state as `carehub status` shows it (the real registry's status view). */
const bondShown = (ctx: ReturnType<typeof cgmRig>['ctx']) => ctx.registry.status().find((d) => d.id === ctx.device.id)?.bond;

describe('BLE security: ble_pairing_required instead of a reconnect loop', () => {
  it('the simulated CGM asks for encryption by default; unpaired → ble_pairing_required (medium, says carehub pair), slow retries, no data', async () => {
    const r = cgmRig(false);
    expect(r.sim.security?.level).toBe('encrypted');
    await r.session.start();
    await advance(r.clock, 2000, 250);
    const a = pairingAlarm(r.ctx);
    expect(a?.priority).toBe('medium');
    expect(a?.text).toMatch(/requires pairing: run carehub pair/);
    const connects = r.bindings.stats.connects;
    await advance(r.clock, 60_000, 500);
    // retried every backoffMax (5 s), not in a tight loop: at most ~13 attempts a minute
    expect(r.bindings.stats.connects - connects).toBeLessThanOrEqual(13);
    expect(r.ctx.metric('glucose')).toHaveLength(0);
    expect(r.ctx.alarmEvents.filter((e) => e.condition === 'ble_pairing_required').map((e) => e.event)).toEqual(['raised']);
  });

  it('paired → secured session, backfill and live data, condition cleared; bond removed on the sensor → raised again as a lost bond; re-paired → cleared', async () => {
    const r = cgmRig(false);
    expect(bondShown(r.ctx)).toBe('unknown'); // nothing heard from the stack yet
    await r.session.start();
    await advance(r.clock, 2000, 250);
    expect(pairingAlarm(r.ctx)).toBeDefined();
    expect(bondShown(r.ctx)).toBe('none');

    r.security.pair(null); // what `carehub pair` leaves behind: keys on both sides
    await advance(r.clock, 8000, 250);
    await flush(5);
    expect(pairingAlarm(r.ctx)).toBeUndefined();
    expect(r.ctx.link()).toBe('connected');
    expect(bondShown(r.ctx)).toBe('bonded');
    const before = r.ctx.metric('glucose').length;
    expect(before).toBeGreaterThan(0);

    // The sensor forgets the hub (replaced / bond cleared) and the link drops.
    r.security.forgetOnPeripheral();
    r.sim.setInRange(false);
    await advance(r.clock, 1000, 250);
    r.sim.setInRange(true);
    await advance(r.clock, 8000, 250);
    const lost = pairingAlarm(r.ctx);
    expect(lost?.text).toMatch(/no longer accepts the hub's bond.*carehub pair/);
    expect(bondShown(r.ctx)).toBe('bonded'); // the hub still holds keys; the sensor refuses them

    r.security.removeHostKeys(); // the bond removed on the hub side too (unpair)
    await advance(r.clock, 6000, 250);
    expect(bondShown(r.ctx)).toBe('none');

    r.security.pair(null);
    await advance(r.clock, 8000, 250);
    await flush(5);
    expect(pairingAlarm(r.ctx)).toBeUndefined();
    await advance(r.clock, 120_000, 1000);
    expect(r.ctx.metric('glucose').length).toBeGreaterThan(before);
    expect(r.ctx.alarmEvents.filter((e) => e.condition === 'ble_pairing_required').map((e) => e.event)).toEqual(['raised', 'cleared', 'raised', 'cleared']);
  });

  it('status: a serial device has no bond (null); the ventilator context ignores a bond report', () => {
    const ctx = fakeDriverContext({ log, device: { id: 'vent-1', kind: 'ventilator', transport: 'serial', path: '/dev/ttyUSB0' } });
    expect(ctx.registry.status().find((d) => d.id === 'vent-1')?.bond).toBeNull();
    ctx.setBond?.('bonded');
    expect(ctx.registry.status().find((d) => d.id === 'vent-1')?.bond).toBeNull();
  });

  it('an authenticated oximeter: Just Works (no passkey) is refused, the displayed passkey pairs', async () => {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0, security: { level: 'authenticated', passkey: '123456' } });
    const { central, bindings } = createSimulatedCentral([sim], { log, clock, bonded: false });
    const sec = bindings.securityOf(sim.address)!;
    expect(sec.check('1822')).toBe(0x05); // insufficient authentication on an open link
    expect(sec.pair(null)).toEqual({ ok: false, reason: 'authentication_failed' });
    expect(sec.pair('654321')).toEqual({ ok: false, reason: 'authentication_failed' });
    expect(sec.hostKeys).toBe(false);
    expect(sec.pair('123456')).toEqual({ ok: true });
    expect(sec.check('1822')).toBe(0);
    expect(sec.check('180a')).toBe(0);
    const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'oxi-1', kind: 'oximeter', address: sim.address } });
    const session = createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000 });
    cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
    await session.start();
    await advance(clock, 3000, 250);
    expect(ctx.technicalActive('ble_pairing_required')).toBe(false);
    expect(ctx.metric('spo2').length).toBeGreaterThan(0);
  });
});
