import { afterEach, describe, expect, it } from 'vitest';
import { createGlsSession } from '../../../drivers/glucose-gls/session.js';
import { GlsSimulator } from '../../../drivers/glucose-gls/simulator.js';
import { glucoseSample } from '../../../drivers/glucose-gls/scenario.js';
import { MG_DL_PER_MMOL_L } from '../../../src/core/metrics/glucose.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ReadingJson } from '../../../src/core/reading.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import { advance, fakeDriverContext, flush, type FakeDriverContext } from '../../helpers/fake-driver-context.js';

const ADDRESS = 'D4:36:39:70:80:90';
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

function stored(ctx: FakeDriverContext): ReadingJson[] {
  return ctx.store.pending(1, 0, 10_000).filter((r) => r.type === 'reading').map((r) => JSON.parse(r.payload) as ReadingJson).filter((r) => r.metric === 'capillary_glucose');
}
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function rig(o: { onSubmit?: () => Promise<void> | void; firstSequence?: number } = {}) {
  const clock = new FakeClock();
  const log = silentLogger();
  const sim = new GlsSimulator({ address: ADDRESS, clock, scenario: 'hypo', measureEveryMs: 0, ...(o.firstSequence !== undefined ? { firstSequence: o.firstSequence } : {}) });
  const { central } = createSimulatedCentral([sim], { log, clock });
  const ctx = fakeDriverContext({ clock, ble: central, device: { id: 'bg-1', kind: 'glucometer', protocol: 'gls', address: ADDRESS }, ...(o.onSubmit ? { onSubmit: o.onSubmit } : {}) });
  const session = createGlsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 4000, lostAfterMs: 30_000, inactivityMs: 2000 });
  cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
  return { clock, sim, ctx, session };
}

describe('GLS session: RACP backfill by sequence number', () => {
  it('first connect reads all records; later connects ask only after the stored cursor; no gaps, no duplicates', async () => {
    const { clock, sim, ctx, session } = rig();
    for (let i = 0; i < 4; i++) { sim.measure(); clock.advance(3600_000); }
    await session.start();
    await advance(clock, 1000);
    expect(hex(sim.racpRequests[0])).toBe('0101'); // report all
    expect(stored(ctx).map((r) => r.value)).toEqual([0, 1, 2, 3].map((n) => Math.round((glucoseSample('hypo', n) / MG_DL_PER_MMOL_L) * 100) / 100));
    expect(ctx.stateStore.get('gls.cursor')).toBe('4');

    sim.dropLink();
    await flush();
    sim.measure(); sim.measure(); // tested while the hub was away
    await advance(clock, 5000);
    expect(ctx.link()).toBe('connected');
    expect(hex(sim.racpRequests[1])).toBe('0103010500'); // records ≥ 5
    expect(ctx.metric('capillary_glucose')).toHaveLength(6); // nothing read twice
    const seqs = stored(ctx).map((r) => r.id);
    expect(new Set(seqs).size).toBe(6);
    expect(ctx.stateStore.get('gls.cursor')).toBe('6');

    sim.measure(); // a test while connected: notified live, cursor follows
    await flush(10);
    expect(stored(ctx)).toHaveLength(7);
    expect(ctx.stateStore.get('gls.cursor')).toBe('7');
  });

  it('a link lost in the middle of the backfill keeps the cursor; the next connect reads the rest, none missing', async () => {
    const { clock, sim, ctx, session } = rig();
    for (let i = 0; i < 5; i++) sim.measure();
    sim.dropAfter(2);
    await session.start();
    await advance(clock, 6000);
    expect(ctx.link()).toBe('connected');
    // the cursor did not move after the partial procedure: the second connect asks for all again
    expect(sim.racpRequests.map(hex)).toEqual(['0101', '0101']);
    expect(stored(ctx)).toHaveLength(5); // the two taken before the drop were de-duplicated by id
    expect(ctx.stateStore.get('gls.cursor')).toBe('5');
    expect(ctx.technicalActive('link_lost')).toBe(false);
  });

  it('a malformed record freezes the cursor: the procedure is read again on the next connect', async () => {
    const { clock, sim, ctx, session } = rig();
    for (let i = 0; i < 3; i++) sim.measure();
    sim.corruptNext();
    await session.start();
    await advance(clock, 1000);
    expect(ctx.rejections).toEqual([expect.objectContaining({ where: 'glucose-measurement', reason: 'short' })]);
    await advance(clock, 5000);
    expect(sim.racpRequests.map(hex)).toEqual(['0101', '0101']); // the tainted procedure did not move the cursor
    expect(stored(ctx)).toHaveLength(3);
    expect(ctx.stateStore.get('gls.cursor')).toBe('3');
  });

  it('the cursor moves only after the durable store: a failing store leaves it, the records come again', async () => {
    let fail = true;
    const { clock, sim, ctx, session } = rig({ onSubmit: () => { if (fail) throw new Error('disk full'); } });
    for (let i = 0; i < 2; i++) sim.measure();
    await session.start();
    await advance(clock, 1000);
    expect(ctx.stateStore.get('gls.cursor')).toBeUndefined();
    fail = false;
    await advance(clock, 5000);
    expect(ctx.stateStore.get('gls.cursor')).toBe('2');
    expect(stored(ctx)).toHaveLength(2);
  });
});
