import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmInputs } from '../../src/alarms/types.js';
import { FakeClock } from '../../src/core/clock.js';
import { readingId } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import type { Reading } from '../../src/core/reading.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Store } from '../../src/store/store.js';

describe('pipeline: driver → plausibility → alarms → durable store', () => {
  let dir: string;
  let store: Store;
  let clock: FakeClock;
  const order: string[] = [];
  const alarms: AlarmInputs = { onReading: (r) => order.push(`alarm:${r.metric}`), technical: () => {}, deviceAlarm: () => {} };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-pipe-'));
    clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
    store = Store.open({ path: join(dir, 'c.db'), maxBytes: 50_000_000, retainSentHours: 1, log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {} }); // group commit runs on real timers
    order.length = 0;
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pipeline = (): Pipeline => new Pipeline({
    clock, log: silentLogger(), alarms,
    sink: { submit: async (rs: Reading[]) => { order.push('store'); return store.submit(rs); } },
  });

  it('checks alarms before the write and resolves only once the reading is stored', async () => {
    const p = pipeline();
    await p.submit('oxi-1', 'oximeter', [{ metric: 'spo2', value: 97, key: 'k1' }]);
    expect(order).toEqual(['alarm:spo2', 'store']);
    const rows = store.pending(1, 0, 10);
    expect(rows).toHaveLength(1);
    const json = JSON.parse(rows[0]!.payload) as Record<string, unknown>;
    expect(json).toMatchObject({ device: 'oxi-1', metric: 'spo2', mdc: 150456, unit: '%', value: 97, clock: 'hub', id: readingId('oxi-1', 'spo2', 'k1') });
  });

  it('rejects and counts implausible values and unknown metrics; never stores them', async () => {
    const p = pipeline();
    await p.submit('oxi-1', 'oximeter', [
      { metric: 'spo2', value: 127, key: 'a' }, // BerryMed "invalid" marker
      { metric: 'pulse_rate', value: Number.NaN, key: 'b' },
      { metric: 'no_such_metric', value: 1, key: 'c' },
      { metric: 'pulse_rate', value: 64, key: 'd' },
    ]);
    expect(store.depth().total).toBe(1);
    expect(p.counts('oxi-1')).toEqual({ accepted: 1, rejected: { implausible: 1, not_a_number: 1, unknown_metric: 1 } });
  });

  it('gives the same measurement the same id, so a re-read is a no-op', async () => {
    const p = pipeline();
    const m = { metric: 'glucose', value: 5.5, key: 'session:1|off:5', t: Date.UTC(2026, 10, 23, 9, 0), deviceTime: true };
    await p.submit('cgm-1', 'cgm', [m]);
    await p.submit('cgm-1', 'cgm', [m]);
    expect(store.depth().total).toBe(1);
    const json = JSON.parse(store.pending(1, 0, 1)[0]!.payload) as { clock: string; t: string };
    expect(json.clock).toBe('device');
    expect(json.t).toBe('2026-11-23T09:00:00.000Z');
  });

  it('marks readings unsynced while the hub clock is not synchronised', async () => {
    clock.setSynced(false);
    await pipeline().submit('cgm-1', 'cgm', [{ metric: 'glucose', value: 6, key: 'x', t: clock.now(), deviceTime: true }]);
    expect((JSON.parse(store.pending(1, 0, 1)[0]!.payload) as { clock: string }).clock).toBe('unsynced');
  });

  it('a wall clock stepping backwards neither reorders nor drops hub-timed readings', async () => {
    const p = pipeline();
    for (let i = 0; i < 5; i++) { await p.submit('oxi-1', 'oximeter', [{ metric: 'spo2', value: 90 + i }]); clock.advance(1000); }
    clock.stepWall(-3_600_000); // NTP corrects a clock that booted an hour ahead
    for (let i = 5; i < 10; i++) { await p.submit('oxi-1', 'oximeter', [{ metric: 'spo2', value: 90 + i }]); clock.advance(1000); }
    const rows = store.pending(1, 0, 100);
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => (JSON.parse(r.payload) as { value: number }).value)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(new Set(rows.map((r) => (JSON.parse(r.payload) as { id: string }).id)).size).toBe(10);
  });
});
