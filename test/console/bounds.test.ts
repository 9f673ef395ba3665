import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { ConsoleAudit, AUDIT_MAX } from '../../src/console/audit.js';
import { MAX_SESSIONS, Sessions } from '../../src/console/sessions.js';
import { TREND_MAX_CONCURRENT, TrendQueries } from '../../src/console/trends.js';
import { harness, readings, tempDir } from '../store/helpers.js';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
let cleanup: (() => void) | undefined;
afterEach(() => { cleanup?.(); cleanup = undefined; });

describe('console bounds', () => {
  it(`keeps at most ${MAX_SESSIONS} sessions (the least recently used goes) and ends an idle one`, () => {
    const clock = new FakeClock();
    const s = new Sessions(clock, 60_000);
    const first = s.create('technician');
    for (let i = 0; i < MAX_SESSIONS; i++) s.create('viewer');
    expect(s.size).toBe(MAX_SESSIONS);
    expect(s.get(first.id)).toBeNull();
    const live = s.create('technician');
    clock.advance(59_000);
    expect(s.get(live.id)).not.toBeNull();
    clock.advance(61_000);
    expect(s.get(live.id)).toBeNull();
  });

  it(`the audit trail in the store keeps the newest entries (${AUDIT_MAX} in the hub), newest first, and survives a reopen`, () => {
    const max = 20;
    const t = tempDir();
    cleanup = t.cleanup;
    const h = harness(t.dir);
    let store = h.open();
    const audit = new ConsoleAudit(store, h.clock, max);
    for (let i = 0; i < max + 5; i++) audit.record({ role: 'technician', from: '127.0.0.1', action: 'alarms.ack', detail: { i }, ok: true });
    store.close();
    store = h.open();
    const back = new ConsoleAudit(store, h.clock, max).recent(max + 50);
    expect(back).toHaveLength(max);
    expect(back[0]!.detail).toEqual({ i: max + 4 });
    expect(back.at(-1)!.detail).toEqual({ i: 5 });
    store.close();
  });

  it('trend queries: buckets of stored readings by measurement time, a row cap that says it truncated, and a concurrency cap', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const h = harness(t.dir);
    const store = h.open();
    // 600 readings, 1 s apart, from T0; rx 120 ms later
    store.insertReadings(readings(0, 600, { value: 95 }));
    store.insertReadings(readings(1000, 1, { value: 80, id: 'low-one', t: T0 + 599_500 }));
    const now = T0 + 600_000;
    const q = new TrendQueries(h.path);
    const r = await q.query('oxi-1', '1h', now);
    if (!r.ok) throw new Error(r.error);
    const spo2 = r.metrics['spo2']!;
    expect(spo2.n).toBe(601);
    expect(spo2.t.length).toBe(60); // 10 s buckets over 10 minutes
    expect(Math.min(...spo2.min)).toBe(80);
    expect(r.truncated).toBe(false);

    const capped = await new TrendQueries(h.path, 100).query('oxi-1', '1h', now);
    expect(capped.ok && capped.truncated).toBe(true);

    const many = await Promise.all(Array.from({ length: TREND_MAX_CONCURRENT + 1 }, () => q.query('oxi-1', '7d', now)));
    expect(many.filter((x) => !x.ok && x.status === 503)).toHaveLength(1);
    store.close();
  }, 30_000);
});
