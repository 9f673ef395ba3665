import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readingToJson } from '../../src/core/reading.js';
import { migrations } from '../../src/store/migrations.js';
import { alarmEvent, harness, idsOf, reading, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

describe('readings and outbox lanes', () => {
  it('stores the readingToJson payload unchanged and drains each lane in insertion order', () => {
    const s = h.open();
    const rs = [reading(3), reading(1, { lane: 2, metric: 'pleth' }), reading(2), reading(4, { lane: 2, metric: 'pleth' })];
    expect(s.insertReadings(rs)).toEqual({ inserted: 4, duplicates: 0 });
    const lane1 = s.pending(1, 0, 10);
    expect(lane1.map((r) => r.payload)).toEqual([JSON.stringify(readingToJson(rs[0]!)), JSON.stringify(readingToJson(rs[2]!))]);
    expect(lane1.every((r) => r.type === 'reading' && r.device === 'oxi-1' && r.lane === 1)).toBe(true);
    expect(idsOf(s, 2)).toEqual(['rid-1', 'rid-4']);
    expect(idsOf(s, 0)).toEqual([]);
    const seqs = lane1.map((r) => r.seq);
    expect(seqs[1]!).toBeGreaterThan(seqs[0]!);
    // afterSeq and max page through the lane
    expect(s.pending(1, seqs[0]!, 10).map((r) => r.seq)).toEqual([seqs[1]]);
    expect(s.pending(1, 0, 1)).toHaveLength(1);
    s.close();
  });

  it('ignores a second insert of the same id and counts it as duplicate', async () => {
    const s = h.open();
    expect(s.insertReadings(readings(0, 5))).toEqual({ inserted: 5, duplicates: 0 });
    expect(s.insertReadings([...readings(3, 4), reading(3)])).toEqual({ inserted: 2, duplicates: 3 });
    const p = s.submit(readings(0, 2));
    h.clock.advance(50);
    expect(await p).toEqual({ inserted: 0, duplicates: 2 });
    expect(idsOf(s, 1)).toEqual(['rid-0', 'rid-1', 'rid-2', 'rid-3', 'rid-4', 'rid-5', 'rid-6']);
    expect(s.stats().duplicates).toBe(5);
    s.close();
  });

  it('ack removes rows from pending and depth; acking twice or an unknown seq is harmless', () => {
    const s = h.open();
    s.insertReadings(readings(0, 4));
    const [a, b] = s.pending(1, 0, 2);
    s.ack([a!.seq, b!.seq]);
    s.ack([a!.seq, 99_999]);
    expect(idsOf(s, 1)).toEqual(['rid-2', 'rid-3']);
    expect(s.depth()).toEqual({ total: 2, byLane: [0, 2, 0], oldestRx: reading(2).rx });
    expect(s.stats().retainedRows).toBe(2);
    // acked ids stay known while retained: a re-read is still a duplicate
    expect(s.insertReadings([reading(0)])).toEqual({ inserted: 0, duplicates: 1 });
    s.close();
  });

  it('keeps unsent rows, their order and the acked state across close and reopen', () => {
    let s = h.open();
    s.insertReadings(readings(0, 3));
    s.addAlarmEvent(alarmEvent(1));
    s.ack([s.pending(1, 0, 1)[0]!.seq]);
    const lastSeq = Math.max(...s.pending(1, 0, 10).map((r) => r.seq));
    s.close();
    s = h.open();
    expect(idsOf(s, 1)).toEqual(['rid-1', 'rid-2']);
    expect(s.depth().byLane).toEqual([1, 2, 0]);
    s.insertReadings([reading(10)]);
    expect(s.pending(1, lastSeq, 10).map((r) => r.seq)[0]!).toBeGreaterThan(lastSeq);
    s.close();
  });

  it('never reuses a seq, even after every row was delivered and deleted', () => {
    const s = h.open({ retainSentHours: 0 });
    s.insertReadings(readings(0, 3));
    const seqs = s.pending(1, 0, 10).map((r) => r.seq);
    s.ack(seqs);
    expect(s.depth().total).toBe(0);
    s.close();
    const s2 = h.open({ retainSentHours: 0 });
    s2.insertReadings([reading(7)]);
    expect(s2.pending(1, 0, 10)[0]!.seq).toBeGreaterThan(Math.max(...seqs));
    s2.close();
  });

  it('puts alarm events in lane 0 ahead of readings and keeps them as history after delivery and pruning', () => {
    const s = h.open({ retainSentHours: 1 });
    s.insertReadings(readings(0, 2));
    expect(s.addAlarmEvent(alarmEvent(1))).toBe(true);
    expect(s.addAlarmEvent(alarmEvent(1))).toBe(false);
    s.addAlarmEvent(alarmEvent(2, { event: 'cleared' }));
    const lane0 = s.pending(0, 0, 10);
    expect(lane0.map((r) => r.type)).toEqual(['alarm', 'alarm']);
    expect(JSON.parse(lane0[0]!.payload)).toEqual(alarmEvent(1));
    s.ack(lane0.map((r) => r.seq));
    h.clock.advance(2 * 3_600_000);
    expect(s.housekeeping().prunedSent).toBe(2);
    expect(s.pending(0, 0, 10)).toEqual([]);
    expect(s.alarmHistory(10).map((e) => [e.id, e.event])).toEqual([['ev-2', 'cleared'], ['ev-1', 'raised']]);
    expect(s.alarmHistory(1)).toHaveLength(1);
    s.close();
  });

  it('housekeeping prunes delivered rows only after retainSentHours', () => {
    const s = h.open({ retainSentHours: 2 });
    s.insertReadings(readings(0, 3));
    s.ack(s.pending(1, 0, 2).map((r) => r.seq));
    h.clock.advance(3_600_000);
    expect(s.housekeeping().prunedSent).toBe(0);
    expect(s.stats().retainedRows).toBe(2);
    h.clock.advance(3_600_001);
    expect(s.housekeeping().prunedSent).toBe(2);
    expect(s.stats()).toMatchObject({ retainedRows: 0, retainedBytes: 0, depth: { total: 1 } });
    // after pruning the id is forgotten: a re-read is stored (and re-sent; the backend de-duplicates)
    expect(s.insertReadings([reading(0)]).inserted).toBe(1);
    s.close();
  });

  it('reports stats: depth per lane, oldest unsent age, bytes, file size', () => {
    const s = h.open();
    s.insertReadings([reading(0), reading(1, { lane: 2 })]);
    h.clock.stepWall(reading(0).rx + 5000 - h.clock.now());
    const st = s.stats();
    expect(st.depth).toEqual({ total: 2, byLane: [0, 1, 1], oldestRx: reading(0).rx });
    expect(st.oldestUnsentAgeMs).toBe(5000);
    expect(st.unsentBytes).toBeGreaterThan(2 * JSON.stringify(readingToJson(reading(0))).length);
    expect(st.bytesUsed).toBe(st.unsentBytes);
    expect(st.dbFileBytes).toBeGreaterThan(0);
    expect(st.schemaVersion).toBe(migrations.length);
    s.close();
  });

  it('kv and device state are durable across reopen', () => {
    const s = h.open();
    expect(s.kvGet('alarms:state')).toBeUndefined();
    s.kvSet('alarms:state', '{"a":1}');
    s.kvSet('alarms:state', '{"a":2}');
    const st = s.deviceState('cgm-1');
    st.set('racp:cursor', '1440');
    expect(s.deviceState('cgm-2').get('racp:cursor')).toBeUndefined();
    s.close();
    const s2 = h.open();
    expect(s2.kvGet('alarms:state')).toBe('{"a":2}');
    expect(s2.deviceState('cgm-1').get('racp:cursor')).toBe('1440');
    s2.close();
  });

  it('notifies append listeners after commit with the lane', async () => {
    const s = h.open();
    const lanes: number[] = [];
    const off = s.onAppend((l) => lanes.push(l));
    const p = s.submit([reading(0, { lane: 2 })]);
    h.clock.advance(50);
    await p;
    s.addAlarmEvent(alarmEvent(1));
    s.insertReadings([reading(0, { lane: 2 })]); // duplicate: no notification
    off();
    s.insertReadings([reading(5)]);
    expect(lanes).toEqual([2, 0]);
    s.close();
  });
});
