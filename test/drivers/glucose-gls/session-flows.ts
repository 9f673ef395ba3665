import { afterEach, expect, it } from 'vitest';
import { createGlsSession } from '../../../drivers/glucose-gls/session.js';
import { GlsSimulator } from '../../../drivers/glucose-gls/simulator.js';
import { glucoseSample } from '../../../drivers/glucose-gls/scenario.js';
import { MG_DL_PER_MMOL_L } from '../../../src/core/metrics/glucose.js';
import { FakeClock } from '../../../src/core/clock.js';
import type { ReadingJson } from '../../../src/core/reading.js';
import { fakeDriverContext, type FakeDriverContext } from '../../helpers/fake-driver-context.js';
import { until, type BleBench } from '../shared/ble-bench.js';
import { storedReadings } from '../shared/stored.js';

const ADDRESS = 'D4:36:39:70:80:90';

const stored = (ctx: FakeDriverContext): ReadingJson[] => storedReadings(ctx, 'capillary_glucose');
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

/**
 * The GLS session tests (RACP backfill by sequence number), written once: session.test.ts runs
 * them on the simulated HCI bindings, test/bluez/bluez-drivers.test.ts through noble's D-Bus bindings.
 */
export function glsSessionFlows(b: BleBench): void {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

  async function rig(o: { onSubmit?: () => Promise<void> | void; firstSequence?: number } = {}) {
    const clock = new FakeClock();
    const sim = new GlsSimulator({ address: ADDRESS, clock, scenario: 'hypo', measureEveryMs: 0, ...(o.firstSequence !== undefined ? { firstSequence: o.firstSequence } : {}) });
    const h = await b.central([sim], clock);
    const ctx = fakeDriverContext({ clock, log: b.log, ble: h.central, device: { id: 'bg-1', kind: 'glucometer', protocol: 'gls', address: ADDRESS }, ...(o.onSubmit ? { onSubmit: o.onSubmit } : {}) });
    const session = createGlsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000, inactivityMs: 2000 });
    cleanup.push(async () => { await session.stop(); sim.stop(); await h.close(); });
    /**
     * Start the session and advance until the first RACP procedure was asked for. Up to 10 s of
     * device time: over D-Bus on a loaded machine the clock may move between the calls of a
     * connect (1 s was once not enough in a full run).
     */
    const started = async (): Promise<void> => {
      await session.start();
      await until(b, clock, () => sim.racpRequests.length > 0, 10_000, 'RACP asked');
    };
    return { clock, sim, ctx, session, started };
  }

  it('first connect reads all records; later connects ask only after the stored cursor; no gaps, no duplicates', async () => {
    const { clock, sim, ctx, started } = await rig();
    for (let i = 0; i < 4; i++) { sim.measure(); clock.advance(3600_000); }
    await started();
    await until(b, clock, () => ctx.stateStore.get('gls.cursor') === '4', 1000, 'cursor after the first procedure');
    expect(hex(sim.racpRequests[0])).toBe('0101'); // report all
    expect(stored(ctx).map((r) => r.value)).toEqual([0, 1, 2, 3].map((n) => Math.round((glucoseSample('hypo', n) / MG_DL_PER_MMOL_L) * 100) / 100));
    expect(ctx.stateStore.get('gls.cursor')).toBe('4');

    sim.dropLink();
    await b.settle(() => ctx.link() !== 'connected');
    sim.measure(); sim.measure(); // tested while the hub was away
    await b.advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    expect(hex(sim.racpRequests[1])).toBe('0103010500'); // records ≥ 5
    expect(ctx.metric('capillary_glucose')).toHaveLength(6); // nothing read twice
    const seqs = stored(ctx).map((r) => r.id);
    expect(new Set(seqs).size).toBe(6);
    expect(ctx.stateStore.get('gls.cursor')).toBe('6');

    sim.measure(); // a test while connected: notified live, cursor follows
    await b.settle(() => ctx.stateStore.get('gls.cursor') === '7');
    expect(stored(ctx)).toHaveLength(7);
    expect(ctx.stateStore.get('gls.cursor')).toBe('7');
  }, b.timeoutMs);

  it('a link lost in the middle of the backfill keeps the cursor; the next connect reads the rest, none missing', async () => {
    const { clock, sim, ctx, started } = await rig();
    for (let i = 0; i < 5; i++) sim.measure();
    sim.dropAfter(2);
    await started();
    await b.advance(clock, 6000);
    expect(ctx.link()).toBe('connected');
    // the cursor did not move after the partial procedure: the second connect asks for all again
    expect(sim.racpRequests.map(hex)).toEqual(['0101', '0101']);
    expect(stored(ctx)).toHaveLength(5); // the two taken before the drop were de-duplicated by id
    expect(ctx.stateStore.get('gls.cursor')).toBe('5');
    expect(ctx.technicalActive('link_lost')).toBe(false);
  }, b.timeoutMs);

  it('a malformed record freezes the cursor: the procedure is read again on the next connect', async () => {
    const { clock, sim, ctx, started } = await rig();
    for (let i = 0; i < 3; i++) sim.measure();
    sim.corruptNext();
    await started();
    await until(b, clock, () => ctx.rejections.length > 0, 1000, 'the malformed record rejected');
    expect(ctx.rejections).toEqual([expect.objectContaining({ where: 'glucose-measurement', reason: 'short' })]);
    await b.advance(clock, 5000);
    expect(sim.racpRequests.map(hex)).toEqual(['0101', '0101']); // the tainted procedure did not move the cursor
    expect(stored(ctx)).toHaveLength(3);
    expect(ctx.stateStore.get('gls.cursor')).toBe('3');
  }, b.timeoutMs);

  it('the cursor moves only after the durable store: a failing store leaves it, the records come again', async () => {
    let fail = true;
    const { clock, sim, ctx, started } = await rig({ onSubmit: () => { if (fail) throw new Error('disk full'); } });
    for (let i = 0; i < 2; i++) sim.measure();
    await started();
    await b.advance(clock, 1000);
    expect(ctx.submitted.length).toBeGreaterThan(0); // delivered, but the store failed
    expect(ctx.stateStore.get('gls.cursor')).toBeUndefined();
    fail = false;
    await b.advance(clock, 5000);
    expect(ctx.stateStore.get('gls.cursor')).toBe('2');
    expect(stored(ctx)).toHaveLength(2);
  }, b.timeoutMs);
}
