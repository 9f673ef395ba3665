import { afterEach, expect, it } from 'vitest';
import { createBpsSession } from '../../../drivers/bp-bps/session.js';
import { createBpsSimulator } from '../../../drivers/bp-bps/simulator.js';
import type { BpScenario } from '../../../drivers/bp-bps/scenario.js';
import { FakeClock } from '../../../src/core/clock.js';
import { fakeDriverContext } from '../../helpers/fake-driver-context.js';
import { until, type BleBench } from '../shared/ble-bench.js';
import { storedReadings } from '../shared/stored.js';

const ADDRESS = 'A0:E6:F8:10:20:30';


/**
 * The BPS session tests, written once: session.test.ts runs them on the simulated HCI bindings,
 * test/bluez/bluez-drivers.test.ts through noble's D-Bus bindings. One rig at a time.
 */
export function bpsSessionFlows(b: BleBench): void {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

  async function rig(o: { scenario?: BpScenario; synced?: boolean; userId?: number; timeZone?: string } = {}) {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), o.synced ?? true);
    const sim = createBpsSimulator({ address: ADDRESS, name: 'SIM-BP', clock, scenario: o.scenario ?? 'normal', measureEveryMs: 0, ...(o.timeZone ? { timeZone: o.timeZone } : {}) });
    const h = await b.central([sim], clock);
    const ctx = fakeDriverContext({
      clock, log: b.log, ble: h.central, ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      device: { id: 'bp-1', kind: 'bp', protocol: 'bps', address: ADDRESS, ...(o.userId !== undefined ? { options: { userId: o.userId } as never } : {}) },
    });
    const session = createBpsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
    let stopped = false;
    const stop = async (): Promise<void> => { if (stopped) return; stopped = true; await session.stop(); sim.stop(); await h.close(); };
    cleanup.push(stop);
    /** Start the session and advance until connected and the monitor's memory is taken (at most 1 s, as the monitor allows). */
    const started = async (): Promise<void> => {
      await session.start();
      await until(b, clock, () => ctx.link() === 'connected' && sim.memory.length === 0, 1000, 'connected, memory taken');
      await b.advance(clock, 200);
    };
    return { clock, sim, ctx, session, started, stop, h };
  }

  it('takes every stored measurement on connect, each once, with the device time and deterministic keys', async () => {
    const { clock, sim, ctx, started } = await rig({ timeZone: 'Europe/Copenhagen' });
    for (let i = 0; i < 3; i++) { if (i) clock.advance(3600_000); sim.measure(); }
    await started();
    expect(ctx.link()).toBe('connected');
    const sys = ctx.metric('bp_systolic');
    expect(sys).toHaveLength(3);
    expect(new Set(sys.map((m) => m.key)).size).toBe(3);
    // device wall time in Copenhagen (UTC+1 in November) read back to UTC: 10:00, 11:00, 12:00 UTC
    expect(sys.map((m) => m.t)).toEqual([0, 1, 2].map((h) => Date.UTC(2026, 10, 23, 10 + h, 0, 0)));
    expect(sys.every((m) => m.deviceTime === true && m.key?.startsWith('bp:2026-11-23T1'))).toBe(true);
    // measured more than an hour before they reached the hub: history (stored, no alarm now)
    expect(sys.map((m) => m.flags?.includes('stored') ?? false)).toEqual([true, true, false]);
    expect(ctx.metric('bp_diastolic')).toHaveLength(3);
    expect(ctx.metric('bp_mean')).toHaveLength(3);
    expect(ctx.metric('bp_pulse_rate')).toHaveLength(3);
    expect(sim.memory).toHaveLength(0);
    expect(storedReadings(ctx, 'bp_systolic').every((r) => r.clock === 'device' && r.unit === 'mm[Hg]')).toBe(true);

    // The monitor indicates the same measurement again after a reconnect (a lost confirmation):
    // same key, same id, stored once.
    const again = sim.sent[0]!;
    sim.dropLink();
    await b.settle(() => ctx.link() !== 'connected');
    sim.memory.push(again);
    await b.advance(clock, 3000);
    expect(ctx.link()).toBe('connected');
    expect(ctx.metric('bp_systolic')).toHaveLength(4);
    expect(ctx.metric('bp_systolic')[3]!.key).toBe(sys[0]!.key);
    expect(storedReadings(ctx, 'bp_systolic')).toHaveLength(3);
  }, b.timeoutMs);

  it('link loss and reconnect: a measurement taken while away arrives after the reconnect; no link_lost left', async () => {
    const { clock, sim, ctx, started, h } = await rig();
    await started();
    sim.measure();
    await b.settle(() => ctx.metric('bp_systolic').length >= 1);
    expect(ctx.metric('bp_systolic')).toHaveLength(1);
    sim.dropLink();
    await b.settle(() => ctx.link() !== 'connected');
    expect(ctx.link()).toBe('connecting');
    sim.measure();
    await b.advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    expect(h.connects(ADDRESS)).toBe(2);
    expect(ctx.metric('bp_systolic')).toHaveLength(2);
    expect(ctx.technicalActive('link_lost')).toBe(false);
  }, b.timeoutMs);

  it('sets the monitor clock on every connect only while the hub clock is synced', async () => {
    const synced = await rig();
    await synced.started();
    expect(synced.sim.clockWrites).toBe(1);
    await synced.stop();
    const unsynced = await rig({ synced: false });
    await unsynced.started();
    expect(unsynced.ctx.link()).toBe('connected');
    expect(unsynced.sim.clockWrites).toBe(0);
  }, b.timeoutMs);

  it('a hypertension reading with irregular pulse is taken as measured; another user\'s readings are skipped', async () => {
    const other = await rig({ scenario: 'hypertension', userId: 2 });
    other.sim.measure();
    await other.started();
    expect(other.ctx.submitted).toHaveLength(0); // the simulator's measurements are user 1's
    await other.stop();
    const h = await rig({ scenario: 'hypertension' });
    for (let i = 0; i < 5; i++) h.sim.measure();
    await h.started();
    expect(h.ctx.metric('bp_systolic')).toHaveLength(5);
    expect(h.ctx.metric('bp_systolic').map((m) => m.value).every((v) => v >= 160)).toBe(true);
  }, b.timeoutMs);

  it('a malformed measurement is rejected and counted, the next one is taken', async () => {
    const { ctx, sim, started } = await rig();
    sim.memory.push(Uint8Array.from([0x02, 0x78, 0x00])); // time stamp flagged, frame cut short
    sim.measure();
    await started();
    expect(ctx.rejections).toEqual([expect.objectContaining({ reason: 'short', where: 'bp-measurement' })]);
    expect(ctx.metric('bp_systolic')).toHaveLength(1);
  }, b.timeoutMs);
}
