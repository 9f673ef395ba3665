import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readingId } from '../../src/core/ids.js';
import { readingToJson } from '../../src/core/reading.js';
import { migrations } from '../../src/store/migrations.js';
import { ROW_OVERHEAD_BYTES, seqRuns } from '../../src/store/outbox.js';
import type { Store } from '../../src/store/store.js';
import { harness, idsOf, reading, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const rowBytes = (n: number, over: Parameters<typeof reading>[1] = {}): number =>
  JSON.stringify(readingToJson(reading(n, over))).length + ROW_OVERHEAD_BYTES;

/** The counters as a fresh open computes them from the table. */
function recount(s: Store): ReturnType<Store['stats']> {
  s.close();
  return h.open().stats();
}

describe('seqRuns', () => {
  it('splits seqs into runs of consecutive numbers, any order, duplicates and junk ignored', () => {
    expect(seqRuns([])).toEqual([]);
    expect(seqRuns([5])).toEqual([[5, 5]]);
    expect(seqRuns([1, 2, 3, 5, 6, 9])).toEqual([[1, 3], [5, 6], [9, 9]]);
    expect(seqRuns([9, 3, 1, 2, 6, 5, 2, 3])).toEqual([[1, 3], [5, 6], [9, 9]]);
    expect(seqRuns([4, Number.NaN, 5, 1.5, 6])).toEqual([[4, 6]]);
  });
});

describe('set-based ack', () => {
  it('acks runs with gaps exactly: a row between two acked runs stays unsent', () => {
    const s = h.open({ retainSentHours: 0 });
    s.insertReadings(readings(10, 10));
    const seqs = s.pending(1, 0, 100).map((r) => r.seq);
    s.ack([...seqs.slice(0, 3), ...seqs.slice(4, 7), seqs[9]!]);
    expect(idsOf(s, 1)).toEqual(['rid-13', 'rid-17', 'rid-18']);
    const st = s.stats();
    expect(st.depth.total).toBe(3);
    expect(st.unsentBytes).toBe(rowBytes(13) + rowBytes(17) + rowBytes(18));
    expect(recount(s).unsentBytes).toBe(st.unsentBytes);
  });

  it('does not touch rows of another lane whose seqs fall between acked seqs of one lane', () => {
    const s = h.open({ retainSentHours: 72 });
    // interleaved: lane 1, lane 2, lane 1, lane 2, ...
    for (let i = 0; i < 6; i++) s.insertReadings([reading(10 + i, i % 2 ? { lane: 2, metric: 'pleth' } : {})]);
    const lane1 = s.pending(1, 0, 100).map((r) => r.seq);
    s.ack(lane1);
    expect(s.depth().byLane).toEqual([0, 0, 3]);
    expect(idsOf(s, 2)).toEqual(['rid-11', 'rid-13', 'rid-15']);
    const st = s.stats();
    expect(st.retainedRows).toBe(3);
    expect(st.retainedBytes).toBe(rowBytes(10) + rowBytes(12) + rowBytes(14));
    const again = recount(s);
    expect([again.retainedRows, again.retainedBytes, again.unsentBytes]).toEqual([st.retainedRows, st.retainedBytes, st.unsentBytes]);
  });

  it('ignores already-acked, evicted and unknown seqs inside an acked range, counters stay exact', () => {
    const one = rowBytes(10);
    // budget for 20 rows: the 25 rows below evict the oldest unsent lane-1 rows
    const s = h.open({ retainSentHours: 72, maxBytes: one * 20 });
    s.insertReadings(readings(10, 10));
    const first = s.pending(1, 0, 100).map((r) => r.seq);
    s.ack(first.slice(0, 2)); // delivered and retained
    s.insertReadings(readings(20, 15)); // over budget: retained rows pruned first, then oldest unsent evicted
    const st0 = s.stats();
    expect(st0.evicted[1]).toBeGreaterThan(0);
    const maxSeq = Math.max(...s.pending(1, 0, 100).map((r) => r.seq));
    // one range over everything, acked ones and evicted ones included, plus unknown seqs beyond
    const all = Array.from({ length: maxSeq + 5 }, (_, i) => i + 1);
    s.ack(all);
    const st = s.stats();
    expect(st.depth.total).toBe(0);
    expect(st.unsentBytes).toBe(0);
    expect(st.retainedRows).toBe(st0.retainedRows + st0.depth.total);
    expect(st.retainedBytes).toBe(st0.retainedBytes + st0.unsentBytes);
    s.ack(all); // twice: harmless
    expect(s.stats().retainedRows).toBe(st.retainedRows);
    const again = recount(s);
    expect([again.retainedRows, again.retainedBytes, again.unsentBytes]).toEqual([st.retainedRows, st.retainedBytes, 0]);
  });

  it('delete-on-ack keeps the byte counters exact across lanes', () => {
    const s = h.open({ retainSentHours: 0 });
    s.insertReadings([...readings(10, 5), ...readings(20, 5, { lane: 2, metric: 'pleth' })]);
    const seqs = [...s.pending(1, 0, 100), ...s.pending(2, 0, 100)].map((r) => r.seq);
    s.ack(seqs.filter((_, i) => i % 3 !== 0));
    const st = s.stats();
    expect(st.retainedRows).toBe(0);
    expect(st.bytesUsed).toBe(st.unsentBytes);
    expect(recount(s).unsentBytes).toBe(st.unsentBytes);
  });
});

describe('stored uid form', () => {
  it('keys canonical ids by their 16 bytes, other ids by their text, keeps uid as text, and de-duplicates both', () => {
    const canonical = readingId('oxi-1', 'spo2', '1');
    const s = h.open();
    expect(s.insertReadings([reading(1, { id: canonical }), reading(2)]).inserted).toBe(2);
    expect(s.insertReadings([reading(3, { id: canonical }), reading(4, { id: 'rid-2' })])).toEqual({ inserted: 0, duplicates: 2 });
    // the upper-case spelling is not canonical: a different id, stored as text
    expect(s.insertReadings([reading(5, { id: canonical.toUpperCase() })]).inserted).toBe(1);
    // the payload keeps the string id
    expect(idsOf(s, 1)).toEqual([canonical, 'rid-2', canonical.toUpperCase()]);
    s.close();
    const db = new Database(h.path, { readonly: true });
    const kinds = db.prepare('SELECT uid, typeof(uk) AS k, length(uk) AS n FROM outbox ORDER BY seq').all();
    db.close();
    expect(kinds).toEqual([
      { uid: canonical, k: 'blob', n: 16 }, { uid: 'rid-2', k: 'text', n: 5 }, { uid: canonical.toUpperCase(), k: 'text', n: 26 },
    ]);
  });

  it('migration 2 keys the rows of an existing file, so a re-read of an old reading stays a duplicate', () => {
    const canonical = readingId('oxi-1', 'spo2', '7');
    mkdirSync(dirname(h.path), { recursive: true });
    const db = new Database(h.path);
    migrations[0]!(db);
    db.pragma('user_version = 1');
    const payload = JSON.stringify(readingToJson(reading(7, { id: canonical })));
    db.prepare('INSERT INTO outbox (seq, uid, lane, type, device, rx, bytes, payload) VALUES (1, ?, 1, 0, ?, 0, ?, ?)')
      .run(canonical, 'oxi-1', payload.length + ROW_OVERHEAD_BYTES, payload);
    db.prepare('INSERT INTO outbox (seq, uid, lane, type, device, rx, bytes, payload) VALUES (2, ?, 1, 0, ?, 0, ?, ?)')
      .run('rid-8', 'oxi-1', 10, '{"id":"rid-8"}');
    db.close();
    const s = h.open();
    expect(s.stats().schemaVersion).toBe(migrations.length);
    expect(s.depth().byLane).toEqual([0, 2, 0]);
    expect(s.insertReadings([reading(7, { id: canonical }), reading(8)])).toEqual({ inserted: 0, duplicates: 2 });
    expect(idsOf(s, 1)).toEqual([canonical, 'rid-8']);
    s.close();
    const check = new Database(h.path, { readonly: true });
    expect(check.prepare('SELECT uid, typeof(uk) AS k FROM outbox ORDER BY seq').all()).toEqual([{ uid: canonical, k: 'blob' }, { uid: 'rid-8', k: 'text' }]);
    check.close();
  });
});
