import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readingToJson } from '../../src/core/reading.js';
import { ROW_OVERHEAD_BYTES } from '../../src/store/outbox.js';
import { alarmEvent, harness, idsOf, reading, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const ROW = JSON.stringify(readingToJson(reading(10))).length + ROW_OVERHEAD_BYTES; // ids rid-10..rid-99 are the same length

describe('byte budget and eviction', () => {
  it('prunes delivered rows first, then evicts unsent lane 2 before lane 1, oldest first, and never alarm events', () => {
    const s = h.open({ maxBytes: ROW * 40 });
    // 10 delivered, retained
    s.insertReadings(readings(10, 10));
    s.ack(s.pending(1, 0, 100).map((r) => r.seq));
    // alarm events in lane 0 (never evicted)
    for (let i = 10; i < 13; i++) s.addAlarmEvent(alarmEvent(i));
    // 12 unsent lane 2, 12 unsent lane 1: 10 + 24 rows of readings + 3 alarms, still under 40 rows
    s.insertReadings(readings(20, 12, { lane: 2, metric: 'pleth' }));
    s.insertReadings(readings(40, 12));
    expect(s.stats().evicted).toEqual([0, 0, 0]);
    expect(h.conditions).toEqual([]);

    // 10 more unsent lane-1 rows: over budget -> delivered rows go first (no data loss, no condition)
    s.insertReadings(readings(60, 10));
    let st = s.stats();
    expect(st.retainedRows).toBeLessThan(10);
    expect(st.evicted).toEqual([0, 0, 0]);
    expect(h.conditions).toEqual([]);
    expect(st.bytesUsed).toBeLessThanOrEqual(ROW * 40);

    // 10 more: delivered rows gone, then lane 2 oldest first
    s.insertReadings(readings(70, 10));
    st = s.stats();
    expect(st.retainedRows).toBe(0);
    expect(st.evicted[0]).toBe(0);
    expect(st.evicted[2]).toBeGreaterThan(0);
    expect(st.evicted[1]).toBe(0);
    const lane2 = idsOf(s, 2);
    expect(lane2).toEqual(readings(20, 12).map((r) => r.id).slice(12 - lane2.length)); // the newest survive
    expect(h.conditions).toEqual([expect.objectContaining({ code: 'storage_evicting', active: true })]);

    // 30 more: lane 2 empty, lane 1 loses its oldest; lane 0 intact
    s.insertReadings(readings(100, 30));
    st = s.stats();
    expect(st.depth.byLane[2]).toBe(0);
    expect(st.evicted[1]).toBeGreaterThan(0);
    expect(st.bytesUsed).toBeLessThanOrEqual(ROW * 40);
    const lane1 = idsOf(s, 1);
    expect(lane1[lane1.length - 1]).toBe('rid-129');
    expect(lane1).not.toContain('rid-40');
    expect(idsOf(s, 0)).toEqual(['ev-10', 'ev-11', 'ev-12']);
    expect(s.alarmHistory(10)).toHaveLength(3);
    expect(h.conditions.filter((c) => c.active)).toHaveLength(1); // raised once, not per batch

    // counts survive a restart
    const evicted = st.evicted;
    s.close();
    const s2 = h.open({ maxBytes: ROW * 40 });
    expect(s2.stats().evicted).toEqual(evicted);
    s2.close();
  });

  it('clears storage_evicting once the uplink has drained the backlog', () => {
    const s = h.open({ maxBytes: ROW * 40, retainSentHours: 0 });
    s.insertReadings(readings(10, 60));
    expect(h.conditions.at(-1)).toMatchObject({ code: 'storage_evicting', active: true });
    s.ack(s.pending(1, 0, 2).map((r) => r.seq));
    expect(h.conditions.at(-1)!.active).toBe(true); // still nearly full
    s.ack(s.pending(1, 0, 100).map((r) => r.seq));
    expect(h.conditions.at(-1)).toMatchObject({ code: 'storage_evicting', active: false });
    expect(s.stats().evicting).toBe(false);
    s.close();
  });

  it('keeps alarm events even when they alone exceed the budget', () => {
    const s = h.open({ maxBytes: 500 });
    for (let i = 0; i < 10; i++) s.addAlarmEvent(alarmEvent(i));
    s.insertReadings(readings(10, 5));
    expect(s.depth().byLane).toEqual([10, 0, 0]);
    expect(s.stats().evicted).toEqual([0, 5, 0]);
    s.close();
  });
});
