import { afterEach, expect, it } from 'vitest';
import type { BleBench } from '../shared/ble-bench.js';
import { cursorOf, rig, sensorOffsets, storedOffsets, until, type Rig } from './harness.js';

const MIN = 60_000;
const caughtUp = (r: Rig) => () => r.ctx.link() === 'connected' && cursorOf(r.ctx) === r.sim.model.records.at(-1)?.offset;

/**
 * The CGMS driver session tests against the simulated sensor, written once: sensor.test.ts runs
 * them on noble's simulated HCI bindings, test/bluez/bluez-cgm-flows.test.ts through noble's D-Bus
 * bindings (mock bluez5).
 */
export function cgmSensorFlows(b: BleBench): void {
  let current: Rig | null = null;
  afterEach(async () => { await current?.stop(); current = null; });

  it('writes the session start time when the sensor does not know it', async () => {
    const r = (current = await rig(b, { intervalMin: 5 }));
    const sensorStart = r.clock.now(); // the simulated sensor starts its session with the rig
    await until(r, caughtUp(r), 2 * MIN);
    // The sensor counts whole minutes since its start; the hub writes its clock minus that, to the
    // second, at the connect (within the first second of device time on HCI, a few later over D-Bus).
    const written = r.sim.sessionStartMs();
    expect(written).toBe((JSON.parse(r.ctx.stateStore.get('cgms.session') ?? '{}') as { startMs?: number }).startMs);
    expect(written! % 1000).toBe(0);
    expect(written!).toBeGreaterThanOrEqual(sensorStart);
    expect(written!).toBeLessThanOrEqual(r.clock.now());
    if (b.kind === 'hci-sim') expect(written).toBe(Date.UTC(2026, 10, 23, 10, 0, 0));
  }, b.timeoutMs);

  it('an unsynchronised hub clock does not write the start time', async () => {
    const r = (current = await rig(b, { intervalMin: 5, synced: false }));
    await until(r, caughtUp(r), 2 * MIN);
    expect(r.sim.sessionStartMs()).toBeNull();
    expect(r.ctx.metric('glucose')[0]?.deviceTime).toBe(false);
  }, b.timeoutMs);

  it('sets the communication interval from config and copes with a changing interval', async () => {
    const r = (current = await rig(b, { intervalMin: 5, options: { intervalMin: 2 } }));
    await until(r, caughtUp(r), 2 * MIN);
    expect(r.sim.model.intervalMin).toBe(2);
    await until(r, () => r.clock.mono() >= 20 * MIN, 20 * MIN, 5000);
    r.sim.model.setIntervalMin(3);
    await until(r, () => r.clock.mono() >= 45 * MIN, 30 * MIN, 5000);
    await until(r, caughtUp(r), 2 * MIN);
    expect(storedOffsets(r)).toEqual(sensorOffsets(r));
  }, b.timeoutMs);

  it('SOCP: interval, alert levels, stop and start session', async () => {
    const r = (current = await rig(b, { intervalMin: 5 }));
    await until(r, caughtUp(r), 2 * MIN);
    const socp = r.session.socp();
    expect(socp).not.toBeNull();
    const run = async <T>(p: Promise<T>): Promise<T> => { let v: T | undefined; let done = false; void p.then((x) => { v = x; done = true; }); await until(r, () => done, MIN, 100); return v as T; };
    await run(socp!.setInterval(1));
    expect(await run(socp!.getInterval())).toBe(1);
    await run(socp!.setAlertLevel('hypo', 65));
    expect(await run(socp!.getAlertLevel('hypo'))).toBe(65);
    expect(r.sim.model.hypoLevel).toBe(65);
    await run(socp!.stopSession());
    expect(r.sim.model.running).toBe(false);
    await run(socp!.startSession());
    expect(r.sim.model.running).toBe(true);
    await expect(run(socp!.startSession().catch((e: Error) => e.message))).resolves.toMatch(/refused \(4\)/);
  }, b.timeoutMs);

  it('a garbled live frame is rejected and counted, and the record is read again over RACP', async () => {
    const r = (current = await rig(b, { intervalMin: 1 }));
    await until(r, caughtUp(r), 2 * MIN);
    r.sim.corruptNext(1);
    await until(r, () => r.ctx.rejections.length === 1, 3 * MIN);
    expect(r.ctx.rejections[0]).toMatchObject({ reason: 'length', at: 0, where: 'cgm-measurement' });
    await until(r, () => r.clock.mono() >= 10 * MIN, 10 * MIN, 1000);
    await until(r, caughtUp(r), 2 * MIN);
    expect(storedOffsets(r)).toEqual(sensorOffsets(r));
    expect(r.sim.stats.racpRequests).toBeGreaterThanOrEqual(2);
  }, b.timeoutMs);

  it('readings: mmol/L, trend mmol/L/min, flags from annunciations', async () => {
    const r = (current = await rig(b, { scenario: 'hypo', intervalMin: 1 }));
    await until(r, () => r.ctx.metric('glucose').some((m) => m.value < 3.9), 40 * MIN, 5000);
    const low = r.ctx.metric('glucose').find((m) => m.value < 3.9)!;
    const rec = r.sim.model.records.find((x) => low.key?.endsWith(`|off:${x.offset}`))!;
    expect(low.value).toBeCloseTo(rec.glucoseMgDl / 18.0156, 3);
    const trend = r.ctx.metric('glucose_trend').find((m) => m.key === low.key)!;
    expect(trend.value).toBeCloseTo(rec.trendMgDlMin / 18.0156, 3);
    expect(trend.value).toBeLessThan(0);
  }, b.timeoutMs);

}
