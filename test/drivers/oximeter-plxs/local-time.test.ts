import { afterEach, describe, expect, it } from 'vitest';
import { decodeSpotCheck } from '../../../drivers/oximeter-plxs/codec.js';
import { definition } from '../../../drivers/oximeter-plxs/definition.js';
import { createPlxsSession } from '../../../drivers/oximeter-plxs/session.js';
import { PlxsSimulator } from '../../../drivers/oximeter-plxs/simulator.js';
import type { DriverSession } from '../../../drivers/types.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { LANE_CLINICAL, type ReadingJson } from '../../../src/core/reading.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import { advance, fakeDriverContext, flush } from '../../helpers/fake-driver-context.js';

const ADDRESS = '00:1C:05:FF:4E:21';
const CPH = 'Europe/Copenhagen';
const MIN = 60_000;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

/**
 * A PLXS oximeter whose clock is set to Copenhagen local time (as a phone's Current Time Service
 * sets it), read by a hub whose hub.timezone is Copenhagen, through the production DriverContext,
 * Pipeline (time-suspect window at its default: 30 min ahead) and Store.
 */
function rig(startUtc: number, hubZone = CPH) {
  const clock = new FakeClock(startUtc, true);
  const log = silentLogger();
  // continuous notifications once a day: the test is about spot-checks and jumps hours at a time
  const sim = new PlxsSimulator({ address: ADDRESS, clock, scenario: 'normal', spotCheckEveryMs: 0, continuousEveryMs: 86_400_000, timeZone: CPH });
  const { central } = createSimulatedCentral([sim], { log, clock });
  const ctx = fakeDriverContext({ clock, ble: central, timeZone: hubZone, device: { id: 'oxi-1', address: ADDRESS } });
  const session: DriverSession = createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000 });
  cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
  /** The spo2 readings as stored for publishing on the clinical lane (what the backend receives). */
  const published = (): ReadingJson[] => ctx.store.pending(LANE_CLINICAL, 0, 10_000)
    .map((r) => JSON.parse(r.payload) as ReadingJson)
    .filter((r) => r.metric === 'spo2');
  /** Take a spot-check at each UTC instant (jumping the clock there); returns the local keys the device used. */
  const takeAt = async (instants: number[]): Promise<string[]> => {
    const keys: string[] = [];
    for (const u of instants) {
      clock.advance(u - clock.now());
      const d = decodeSpotCheck(sim.takeSpotCheck());
      if (!d.ok || !d.value.timestamp) throw new Error('simulator frame did not decode');
      const ts = d.value.timestamp;
      const p = (n: number): string => String(n).padStart(2, '0');
      keys.push(`s:${ts.year}-${p(ts.month)}-${p(ts.day)}T${p(ts.hours)}:${p(ts.minutes)}:${p(ts.seconds)}`);
      await flush();
    }
    ctx.store.flush();
    return keys;
  };
  return { clock, sim, ctx, session, published, takeAt };
}

describe('PLXS spot-check time: device local wall time read in hub.timezone', () => {
  it('spring forward: every spot-check gets its true UTC time and no time-suspect flag', async () => {
    const start = Date.UTC(2026, 2, 28, 23, 0); // 00:00 CET, 2 h before the change at 01:00 UTC
    const { clock, ctx, session, published, takeAt } = rig(start);
    await session.start();
    await advance(clock, 1000);
    expect(ctx.link()).toBe('connected');

    const instants = [0, 60, 119, 120, 121, 150, 180, 240].map((m) => start + 5_000 + m * MIN);
    const keys = await takeAt(instants);
    // the device's own fields: CET before, CEST after, 02:xx never shown
    expect(keys).toEqual([
      's:2026-03-29T00:00:05', 's:2026-03-29T01:00:05', 's:2026-03-29T01:59:05', 's:2026-03-29T03:00:05',
      's:2026-03-29T03:01:05', 's:2026-03-29T03:30:05', 's:2026-03-29T04:00:05', 's:2026-03-29T05:00:05',
    ]);
    const rs = published();
    expect(rs.map((r) => r.t)).toEqual(instants.map((u) => new Date(u).toISOString()));
    for (const r of rs) {
      expect(r.clock).toBe('device');
      expect(r.flags).not.toContain('time-suspect');
    }
    expect(ctx.submitted.filter((m) => m.metric === 'spo2').map((m) => m.key)).toEqual(keys);
  });

  it('fall back: right UTC time outside the repeated hour; inside it the earlier pass (documented), never time-suspect', async () => {
    const start = Date.UTC(2026, 9, 24, 22, 0); // 00:00 CEST, 3 h before the change at 01:00 UTC
    const { clock, ctx, session, published, takeAt } = rig(start);
    await session.start();
    await advance(clock, 1000);

    const before = [0, 150].map((m) => start + 10_000 + m * MIN); // 00:00 and 02:30 CEST (first pass)
    const secondPass = start + 10_000 + 210 * MIN; // 01:30 UTC = 02:30 CET again
    const after = [240, 300].map((m) => start + 10_000 + m * MIN); // 03:00 and 04:00 CET
    const keys = await takeAt([...before, secondPass, ...after]);
    expect(keys).toEqual(['s:2026-10-25T00:00:10', 's:2026-10-25T02:30:10', 's:2026-10-25T02:30:10', 's:2026-10-25T03:00:10', 's:2026-10-25T04:00:10']);

    const submitted = ctx.submitted.filter((m) => m.metric === 'spo2');
    expect(submitted.map((m) => m.t)).toEqual([...before, secondPass - 60 * MIN, ...after]);
    // the second 02:30:10 has the first one's id: the store keeps one (the fields cannot tell them apart)
    const rs = published();
    expect(rs.map((r) => r.t)).toEqual([...before, ...after].map((u) => new Date(u).toISOString()));
    for (const r of rs) expect(r.flags).not.toContain('time-suspect');
  });

  it('stored records re-read after a reconnect keep their ids and times (no duplicates published)', async () => {
    const start = Date.UTC(2026, 2, 29, 0, 30); // 01:30 CET
    const { clock, sim, ctx, session, published, takeAt } = rig(start);
    const keys = await takeAt([start + 5_000, start + 45 * MIN]); // 01:30 CET, 03:15 CEST: taken offline, stored
    await session.start();
    await advance(clock, 1000);
    const first = published();
    expect(first.map((r) => r.t)).toEqual([new Date(start + 5_000).toISOString(), new Date(start + 45 * MIN).toISOString()]);
    for (const r of first) expect(r.flags).toEqual(['stored']);
    sim.dropLink();
    await advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    const reread = ctx.submitted.filter((m) => m.metric === 'spo2');
    expect(reread.map((m) => m.key)).toEqual([...keys, ...keys]);
    expect(published()).toEqual(first);
  });

  it('a hub whose zone is not the device zone places the reading wrongly and flags it (why hub.timezone matters)', async () => {
    const start = Date.UTC(2026, 6, 1, 10, 0); // 12:00 CEST
    const { clock, ctx, session, published, takeAt } = rig(start, 'UTC');
    await session.start();
    await advance(clock, 1000);
    await takeAt([start + MIN]);
    const [r] = published();
    expect(r?.t).toBe(new Date(start + MIN + 2 * 60 * MIN).toISOString());
    expect(r?.flags).toContain('time-suspect');
    expect(ctx.link()).toBe('connected');
  });

  it('the simulator definition sets the device clock to SimOptions.timeZone (the hub passes hub.timezone)', () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 10, 0, 7), true);
    const sim = definition.simulator?.transport === 'ble'
      ? definition.simulator.create({ device: { id: 'oxi-1', kind: 'oximeter', transport: 'ble', options: {} as never }, scenario: 'normal', clock, log: silentLogger(), timeZone: CPH })
      : undefined;
    if (!(sim instanceof PlxsSimulator)) throw new Error('PLXS definition has no BLE simulator');
    cleanup.push(async () => { sim.stop(); });
    const d = decodeSpotCheck(sim.takeSpotCheck());
    expect(d.ok && d.value.timestamp).toEqual({ year: 2026, month: 7, day: 1, hours: 12, minutes: 0, seconds: 7 });
  });
});
