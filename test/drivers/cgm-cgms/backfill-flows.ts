import { afterEach, expect, it } from 'vitest';
import type { BleBench } from '../shared/ble-bench.js';
import { cursorOf, rig, sensorOffsets, sessionIdOf, storedOffsets, until, type Rig } from './harness.js';

const MIN = 60_000;

/**
 * The CGMS backfill session tests, written once: backfill.test.ts runs them on noble's simulated
 * HCI bindings, test/bluez/bluez-cgm-flows.test.ts through noble's D-Bus bindings (mock bluez5).
 */
export function cgmBackfillFlows(b: BleBench): void {
  let current: Rig | null = null;
  afterEach(async () => { await current?.stop(); current = null; });

  async function connectedAndCaughtUp(r: Rig): Promise<void> {
    await until(r, () => r.ctx.link() === 'connected' && cursorOf(r.ctx) === r.sim.model.records.at(-1)?.offset, 10 * MIN);
  }
  it.each([1, 5])('a 47-minute outage at a %i-minute interval ends with exactly the sensor records', async (interval) => {
    const r = (current = await rig(b, { intervalMin: interval }));
    await connectedAndCaughtUp(r);
    await until(r, () => r.clock.mono() >= 30 * MIN, 40 * MIN, 5000);
    await connectedAndCaughtUp(r);
    const before = storedOffsets(r).length;

    r.sim.setInRange(false);
    await until(r, () => r.ctx.link() !== 'connected', MIN);
    const dropAt = r.clock.mono();
    await until(r, () => r.clock.mono() - dropAt >= 47 * MIN, 48 * MIN, 15_000);
    const missed = r.sim.model.records.filter((x) => x.offset > (cursorOf(r.ctx) ?? -1)).length;
    expect(missed).toBeGreaterThanOrEqual(Math.floor(47 / interval) - 1);
    r.sim.setInRange(true);
    await connectedAndCaughtUp(r);

    expect(storedOffsets(r)).toEqual(sensorOffsets(r)); // no gap, no duplicate
    expect(storedOffsets(r).length).toBeGreaterThan(before + missed - 2);
    expect(new Set(r.ctx.metric('glucose').map((m) => m.key)).size).toBe(sensorOffsets(r).length);
    // every reading rests on the session start the hub set, plus the record's own offset
    const last = r.sim.model.records.at(-1)!;
    const m = [...r.stored.values()].find((x) => x.metric === 'glucose' && x.key?.endsWith(`|off:${last.offset}`));
    expect(m?.t).toBe(r.sim.sessionStartMs()! + last.offset * MIN);
    expect(m?.deviceTime).toBe(false);
    expect(r.ctx.technicals.some((t) => t.code === 'link_lost' && t.active)).toBe(true);
    expect(r.ctx.technicalActive('link_lost')).toBe(false);
  }, b.timeoutMs);

  it('the hub restarts in the middle of a backfill and continues without gap or duplicate', async () => {
    let calls = 0;
    let crash = false;
    const r = (current = await rig(b, {
      intervalMin: 1, mtu: 23,
      onSubmit: () => {
        calls++;
        if (crash && calls > 3) return new Promise<void>(() => undefined); // the hub dies: never durable
      },
    }));
    await connectedAndCaughtUp(r);
    r.sim.setInRange(false);
    await until(r, () => r.ctx.link() !== 'connected', MIN);
    await until(r, () => r.clock.mono() > 6 * 60 * MIN, 7 * 60 * MIN, 30_000);
    crash = true;
    calls = 0;
    r.sim.setInRange(true);
    await until(r, () => calls > 3, 5 * MIN);
    const cursorAtCrash = cursorOf(r.ctx);
    expect(cursorAtCrash).not.toBeNull();
    expect(cursorAtCrash!).toBeLessThan(r.sim.model.records.at(-1)!.offset);
    crash = false;
    await r.restartHub(); // new session object, same persisted state
    await connectedAndCaughtUp(r);
    expect(storedOffsets(r)).toEqual(sensorOffsets(r));
    // the restarted hub asked only for what was not stored yet
    expect(r.sim.stats.racpRequests).toBeGreaterThanOrEqual(3);
  }, b.timeoutMs);

  it('a new sensor session starts a new id space; nothing collides', async () => {
    const r = (current = await rig(b, { intervalMin: 5 }));
    await connectedAndCaughtUp(r);
    await until(r, () => r.clock.mono() >= 60 * MIN, 61 * MIN, 5000);
    await connectedAndCaughtUp(r);
    const first = sessionIdOf(r);
    const firstOffsets = storedOffsets(r, first!);
    expect(firstOffsets).toEqual(sensorOffsets(r));

    r.clock.stepWall(0); // (wall clock unchanged; the sensor restarts on its own)
    r.sim.restartSession();
    await until(r, () => sessionIdOf(r) !== first, 5 * MIN);
    await until(r, () => r.clock.mono() >= 100 * MIN, 41 * MIN, 5000);
    await connectedAndCaughtUp(r);
    const second = sessionIdOf(r)!;
    expect(second).not.toBe(first);
    expect(storedOffsets(r, second)).toEqual(sensorOffsets(r));
    expect(storedOffsets(r, first!)).toEqual(firstOffsets);
    // offsets restarted at 0, yet keys differ
    const keys = r.ctx.metric('glucose').map((m) => m.key);
    expect(keys).toContain(`session:${first}|off:0`);
    expect(keys).toContain(`session:${second}|off:0`);
    expect(r.stored.size).toBe(new Set([...r.stored.keys()]).size);
  }, b.timeoutMs);

  it('a sensor that knows its session start: device time; zone and DST applied', async () => {
    const r = (current = await rig(b, { intervalMin: 5, knowsStartTime: true }));
    await connectedAndCaughtUp(r);
    const m = r.ctx.metric('glucose')[0];
    expect(m?.deviceTime).toBe(true);
    expect(m?.t).toBe(r.sim.sessionStartMs());
  }, b.timeoutMs);

  it('E2E-CRC sensor (MCRF4XX) and a CCITT-FALSE sensor configured per device', async () => {
    for (const crc of ['mcrf4xx', 'ccitt-false'] as const) {
      const r = (current = await rig(b, { intervalMin: 5, crc, options: { crc } }));
      await until(r, () => r.clock.mono() >= 30 * MIN, 31 * MIN, 5000);
      await connectedAndCaughtUp(r);
      expect(storedOffsets(r)).toEqual(sensorOffsets(r));
      expect(r.ctx.rejections).toEqual([]);
      current = null;
      await r.stop();
    }
  }, b.timeoutMs);

  it('CRC mismatch between sensor and config: frames rejected and counted, cursor never moves', async () => {
    const r = (current = await rig(b, { intervalMin: 5, crc: 'ccitt-false' })); // hub default: MCRF4XX
    await until(r, () => r.ctx.rejections.length > 0, 5 * MIN);
    // the CGM Feature CRC already fails: the hub does not trust the link and retries later
    expect(r.ctx.rejections[0]).toMatchObject({ reason: 'crc', where: 'cgm-feature' });
    await until(r, () => r.ctx.rejections.length > 1, 5 * MIN);
    expect(r.ctx.metric('glucose')).toEqual([]);
    expect(cursorOf(r.ctx)).toBeNull();
  }, b.timeoutMs);

  it('warning-first quirk on both sides decodes the annunciations into conditions', async () => {
    const r = (current = await rig(b, { scenario: 'hypo', intervalMin: 1, warningFirst: true, options: { quirks: ['warning-first'] } }));
    await until(r, () => r.ctx.metric('glucose').some((m) => m.value < 3.9), 40 * MIN, 5000);
    expect(r.ctx.rejections).toEqual([]);
    r.sim.model.batteryLow = true;
    await until(r, () => r.ctx.technicalActive('cgm_battery_low'), 3 * MIN);
    r.sim.model.batteryLow = false;
    await until(r, () => !r.ctx.technicalActive('cgm_battery_low'), 3 * MIN);
    expect(r.ctx.technicals.filter((t) => t.code === 'cgm_battery_low').map((t) => t.active)).toEqual([true, false]);
  }, b.timeoutMs);

  it('a stopped session: no records found, condition raised', async () => {
    const r = (current = await rig(b, { intervalMin: 5, autoStart: false }));
    await until(r, () => r.ctx.link() === 'connected', MIN);
    expect(r.ctx.technicalActive('cgm_session_stopped')).toBe(true);
    expect(r.ctx.metric('glucose')).toEqual([]);
  }, b.timeoutMs);

}
