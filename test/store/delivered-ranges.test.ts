import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readingToJson } from '../../src/core/reading.js';
import { JOINED_SQL } from '../../src/store/drain-reader.js';
import { ROW_OVERHEAD_BYTES } from '../../src/store/outbox.js';
import type { Store } from '../../src/store/store.js';
import { harness, idsOf, reading, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const rowBytes = (n: number): number => JSON.stringify(readingToJson(reading(n))).length + ROW_OVERHEAD_BYTES;
const HOUR = 3_600_000;

function reopen(s: Store): Store {
  s.close();
  return h.open();
}

describe('acknowledgement by range', () => {
  it('records one range per drain instead of rewriting rows; pending, depth and counters skip it, also after a restart', () => {
    const s = h.open();
    s.insertReadings([...readings(10, 6), ...readings(30, 2, { lane: 2, metric: 'pleth' })]);
    const seqs = s.pending(1, 0, 3).map((r) => r.seq);
    s.ackRanges([{ lane: 1, from: 1, to: seqs[2]! }]);
    // the rows are still in the table, unchanged: only the range says they are delivered
    expect(idsOf(s, 1)).toEqual(['rid-13', 'rid-14', 'rid-15']);
    expect(s.depth().byLane).toEqual([0, 3, 2]);
    expect(s.stats().retainedRows).toBe(3);
    expect(s.stats().retainedBytes).toBe(rowBytes(10) + rowBytes(11) + rowBytes(12));
    // the drain after a reconnect starts from 0 and still gets only the unsent rows
    expect(s.pending(1, 0, 2).map((r) => r.seq)).toEqual([seqs[2]! + 1, seqs[2]! + 2]);
    const before = s.stats();
    const s2 = reopen(s);
    const after = s2.stats();
    expect([after.depth.byLane, after.unsentBytes, after.retainedRows, after.retainedBytes])
      .toEqual([before.depth.byLane, before.unsentBytes, before.retainedRows, before.retainedBytes]);
    expect(idsOf(s2, 1)).toEqual(['rid-13', 'rid-14', 'rid-15']);
    s2.close();
    const raw = new Database(h.path, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL').pluck().get()).toBe(0);
    expect(raw.prepare('SELECT count(*) FROM delivered').pluck().get()).toBe(1);
    raw.close();
  });

  it('out-of-order and repeated acknowledgements count each row once; touching ranges merge', () => {
    const s = h.open();
    s.insertReadings(readings(10, 9));
    const q = s.pending(1, 0, 9).map((r) => r.seq);
    s.ackRanges([{ lane: 1, from: q[6]!, to: q[8]! }]); // the last batch's PUBACK first
    expect(idsOf(s, 1)).toEqual(['rid-10', 'rid-11', 'rid-12', 'rid-13', 'rid-14', 'rid-15']);
    expect(s.depth().oldestRx).toBe(reading(10).rx);
    s.ackRanges([{ lane: 1, from: 1, to: q[2]! }, { lane: 1, from: 1, to: q[2]! }]);
    expect(s.depth().oldestRx).toBe(reading(13).rx);
    s.ackRanges([{ lane: 1, from: q[2]! + 1, to: q[8]! }]); // overlaps the first one
    const st = s.stats();
    expect(st.depth.total).toBe(0);
    expect(st.retainedRows).toBe(9);
    expect(st.unsentBytes).toBe(0);
    const s2 = reopen(s);
    expect(s2.stats().retainedRows).toBe(9);
    s2.close();
    const raw = new Database(h.path, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM delivered').pluck().get()).toBe(1);
    raw.close();
  });

  it('pendingJoined gives what pending gives, joined in SQLite, and stops short of a delivered range', () => {
    const s = h.open();
    s.insertReadings([...readings(10, 8), reading(50, { id: 'rid-é', lane: 1 })]);
    const q = s.pending(1, 0, 9).map((r) => r.seq);
    s.ackRanges([{ lane: 1, from: q[3]!, to: q[4]! }]); // out of order: a range in the middle
    const joined = (after: number) => s.pendingJoined(1, after, 100);
    const first = joined(0)!;
    expect(first.rows).toBe(3);
    expect(first.lastSeq).toBe(q[2]);
    expect(first.body).toBe(s.pending(1, 0, 3).map((r) => r.payload).join(','));
    const second = joined(first.lastSeq)!; // jumps the delivered range
    expect(second.rows).toBe(4);
    expect(second.body).toBe(s.pending(1, first.lastSeq, 100).map((r) => r.payload).join(','));
    expect(second.body).toContain('rid-é');
    // the whole batch: the joined payloads inside the envelope the batch format asks for
    const wrapped = s.pendingJoined(1, first.lastSeq, 100, { prefix: '{"hub":"ø","readings":[', suffix: ']}' })!;
    expect(wrapped.body).toBe(`{"hub":"ø","readings":[${second.body}]}`);
    expect(joined(second.lastSeq)).toBeNull();
    s.close();
  });

  it('pendingJoined keeps seq order over many batches, lanes mixed and rows missing (the plan feeds group_concat in index order)', () => {
    const s = h.open();
    const all = Array.from({ length: 3000 }, (_, i) => reading(1000 + i, i % 7 === 3 ? { lane: 2, metric: 'pleth' } : {}));
    for (let i = 0; i < all.length; i += 250) s.insertReadings(all.slice(i, i + 250));
    s.ackRanges([{ lane: 1, from: 700, to: 1100 }]);
    let after = 0;
    let batches = 0;
    const want = s.pending(1, 0, 10_000).map((r) => r.payload);
    const got: string[] = [];
    for (let j = s.pendingJoined(1, after, 500); j; j = s.pendingJoined(1, after, 500)) {
      got.push(j.body);
      after = j.lastSeq;
      batches++;
    }
    expect(batches).toBeGreaterThan(4);
    expect(got.join(',')).toBe(want.join(','));
    s.close();
    const raw = new Database(h.path, { readonly: true });
    const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${JOINED_SQL}`).all({ prefix: '', suffix: '', lane: 1, after: 0, upper: 99, max: 500 }) as Array<{ detail: string }>)
      .map((r) => r.detail).join(' | ');
    raw.close();
    // both passes on the unsent index, in its (seq) order: no sorter in between
    expect(plan).toMatch(/USING INDEX outbox_unsent.*USING COVERING INDEX outbox_unsent/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('prunes delivered ranges when retention ends, and first when the byte budget needs room', () => {
    const s = h.open({ maxBytes: rowBytes(10) * 20 });
    s.insertReadings(readings(10, 10));
    s.ackRanges([{ lane: 1, from: 1, to: 5 }]);
    h.clock.advance(73 * HOUR);
    expect(s.housekeeping().prunedSent).toBe(5);
    expect(s.stats().retainedRows).toBe(0);
    expect(idsOf(s, 1)).toEqual(['rid-15', 'rid-16', 'rid-17', 'rid-18', 'rid-19']);
    // budget: the delivered range goes before any unsent row is evicted
    s.ackRanges([{ lane: 1, from: 6, to: 15 }]); // past the last seq (10): rows stored later stay unsent
    s.insertReadings(readings(40, 17)); // 22 rows in a budget of 20
    const st = s.stats();
    expect(st.evicted).toEqual([0, 0, 0]);
    expect(st.prunedForBudget).toBeGreaterThan(0);
    expect(st.depth.total).toBe(17);
    const s2 = reopen(s);
    expect([s2.stats().retainedRows, s2.stats().unsentBytes]).toEqual([st.retainedRows, st.unsentBytes]);
    s2.close();
  });

  it('without retention the rows of a range are deleted at once, other lanes untouched', () => {
    const s = h.open({ retainSentHours: 0 });
    for (let i = 0; i < 6; i++) s.insertReadings([reading(10 + i, i % 2 ? { lane: 2, metric: 'pleth' } : {})]);
    s.ackRanges([{ lane: 1, from: 1, to: 6 }]);
    expect(s.depth().byLane).toEqual([0, 0, 3]);
    expect(s.stats().retainedRows).toBe(0);
    expect(idsOf(s, 2)).toEqual(['rid-11', 'rid-13', 'rid-15']);
    s.close();
  });

  describe('an acknowledgement takes the rows and bytes its batch read counted', () => {
    /** The counters a restart would find (a fresh scan of the file) must be the live ones. */
    function expectCountersExact(s: Store): Store {
      const live = s.stats();
      const s2 = reopen(s);
      const scanned = s2.stats();
      expect([live.depth.byLane, live.unsentBytes, live.retainedRows, live.retainedBytes])
        .toEqual([scanned.depth.byLane, scanned.unsentBytes, scanned.retainedRows, scanned.retainedBytes]);
      return s2;
    }
    const ack = (s: Store, j: { from: number; lastSeq: number; read: { rows: number; bytes: number; mark: number } }) =>
      s.ackRanges([{ lane: 1, from: j.from, to: j.lastSeq, read: j.read }]);

    it('counts what the read found, also when the batch starts past a delivered range', () => {
      const s = h.open();
      s.insertReadings(readings(10, 12));
      s.ackRanges([{ lane: 1, from: 1, to: 3 }]);
      const j = s.pendingJoined(1, 0, 5)!;
      expect([j.from, j.rows, j.read.rows, j.read.bytes]).toEqual([4, 5, 5, rowBytes(13) * 5]);
      ack(s, j);
      expect(s.stats().depth.byLane[1]).toBe(4);
      expectCountersExact(s).close();
    });

    it('counts again when rows of the range were evicted, acked by seq or delivered between read and ack', () => {
      const s = h.open({ maxBytes: rowBytes(10) * 30 });
      s.insertReadings(readings(10, 20));
      const a = s.pendingJoined(1, 0, 10)!;
      s.insertReadings(readings(100, 15)); // over budget: the oldest unsent rows (a's) are evicted
      expect(s.stats().evicted[1]).toBeGreaterThan(0);
      ack(s, a);
      let s2 = expectCountersExact(s);
      const b = s2.pendingJoined(1, 0, 6)!;
      s2.ack([b.from + 1]); // one of b's rows acknowledged by seq meanwhile
      ack(s2, b);
      s2 = expectCountersExact(s2);
      const c = s2.pendingJoined(1, 0, 6)!;
      s2.ackRanges([{ lane: 1, from: c.from, to: c.from + 1 }]); // part of c delivered by another PUBACK
      ack(s2, c);
      s2 = expectCountersExact(s2);
      ack(s2, c); // and c's PUBACK twice (a re-sent batch): nothing counted twice
      expectCountersExact(s2).close();
    });

    it('without retention, two acknowledgements of one batch in one call delete and count it once', () => {
      const s = h.open({ retainSentHours: 0 });
      s.insertReadings(readings(10, 8));
      const j = s.pendingJoined(1, 0, 5)!;
      const range = { lane: 1 as const, from: j.from, to: j.lastSeq, read: j.read };
      s.ackRanges([range, range]);
      expect(s.depth().byLane[1]).toBe(3);
      expectCountersExact(s).close();
    });
  });
});
