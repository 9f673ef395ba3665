import { openSync, closeSync, readFileSync, writeSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { classifyStorageError } from '../../src/store/faults.js';
import { HELD_ALARM_EVENTS_MAX, HELD_READINGS_MAX, HeldAlarmEvents, HeldReadings } from '../../src/store/held.js';
import { alarmEvent, harness, idsOf, reading, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const sqliteError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('classifying store errors', () => {
  it('full disk, I/O and file errors are storage faults; a bad value or a closed store is not', () => {
    expect(classifyStorageError(sqliteError('SQLITE_FULL', 'database or disk is full'))).toBe('full');
    expect(classifyStorageError(sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'))).toBe('error');
    expect(classifyStorageError(sqliteError('SQLITE_READONLY', 'attempt to write a readonly database'))).toBe('error');
    expect(classifyStorageError(sqliteError('SQLITE_BUSY', 'database is locked'))).toBe('error');
    expect(classifyStorageError(new RangeError('Invalid time value'))).toBeNull();
    expect(classifyStorageError(new Error('store is closed'))).toBeNull();
    expect(classifyStorageError(sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'))).toBeNull();
  });
});

describe('held alarm events (bounded)', () => {
  const ev = (n: number, alarm: string, event: AlarmEvent['event']): AlarmEvent => alarmEvent(n, { alarm, event });

  it(`holds ${HELD_ALARM_EVENTS_MAX} events; past that it drops, counts, and drops the rest of a dropped alarm so no cleared comes without its raised`, () => {
    const q = new HeldAlarmEvents();
    for (let i = 0; i < HELD_ALARM_EVENTS_MAX; i++) expect(q.push(ev(i, `a${i}`, 'raised'))).toBe(true);
    expect(q.push(ev(-1, 'late', 'raised'))).toBe(false);
    expect(q.dropped).toBe(1);
    q.clear(); // written once the store works again
    expect(q.admits(ev(-2, 'late', 'acknowledged'))).toBe(false);
    expect(q.admits(ev(-3, 'late', 'cleared'))).toBe(false);
    expect(q.admits(ev(-4, 'late', 'raised'))).toBe(true); // a new occurrence is fine again
    expect(q.admits(ev(-5, 'other', 'cleared'))).toBe(true);
    expect(q.dropped).toBe(3);
  });

  it(`holds ${HELD_READINGS_MAX} readings; past that drops the oldest high-rate ones first, then the oldest clinical ones`, () => {
    const q = new HeldReadings();
    q.add([readings(0, 100, { lane: 2 })]);
    q.add([readings(100, HELD_READINGS_MAX - 50)]);
    expect(q.size).toBe(HELD_READINGS_MAX);
    expect(q.dropped).toEqual([0, 0, 50]);
    expect(q.list().filter((r) => r.lane === 2)).toHaveLength(50);
    q.add([readings(100_000, 100)]);
    expect(q.dropped).toEqual([0, 50, 100]);
    expect(q.list()[0]!.id).toBe('rid-150');
    expect(q.list().at(-1)!.id).toBe('rid-100099');
  });
});

describe('store under a write fault (query_only: every write fails like a broken card)', () => {
  it('holds the events and readings of failed writes, keeps their order, and writes them on the first good write', async () => {
    let conn: { pragma(s: string): unknown } | null = null;
    const s = h.open({ onConnection: (db) => { conn = db; }, retryMs: 60_000 });
    s.insertReadings(readings(0, 2));
    conn!.pragma('query_only = 1');
    expect(s.addAlarmEvent(alarmEvent(1))).toBe(false);
    const sub = s.submit(readings(2, 2));
    s.flush(); // the group commit runs on the fake clock
    await expect(sub).rejects.toThrow(/readonly/);
    expect(s.addAlarmEvent(alarmEvent(2, { alarm: 'al-1', event: 'cleared' }))).toBe(false);
    expect(() => s.kvSet('k', 'v')).toThrow();
    expect(h.conditions.filter((c) => c.code === 'storage_error')).toEqual([expect.objectContaining({ active: true })]);
    expect(s.health()).toMatchObject({ fault: 'error', heldAlarmEvents: 2, heldReadings: 2 });
    expect(s.housekeeping()).toEqual({ prunedSent: 0, prunedAlarmHistory: 0, checkpointed: false }); // reported, not thrown

    conn!.pragma('query_only = 0');
    s.insertReadings([reading(4)]);
    expect(idsOf(s, 1)).toEqual(['rid-0', 'rid-1', 'rid-2', 'rid-3', 'rid-4']);
    expect(idsOf(s, 0)).toEqual(['ev-1', 'ev-2']);
    expect(s.health()).toMatchObject({ fault: null, heldAlarmEvents: 0, heldReadings: 0 });
    expect(h.conditions.filter((c) => c.code === 'storage_error').map((c) => c.active)).toEqual([true, false]);
    s.close();
  });

  it('the retry timer (hub clock) writes what is held with no other write happening', () => {
    let conn: { pragma(s: string): unknown } | null = null;
    const s = h.open({ onConnection: (db) => { conn = db; }, retryMs: 5000 });
    conn!.pragma('query_only = 1');
    s.addAlarmEvent(alarmEvent(1));
    h.clock.advance(5000);
    expect(s.health().heldAlarmEvents).toBe(1);
    conn!.pragma('query_only = 0');
    h.clock.advance(5000);
    expect(idsOf(s, 0)).toEqual(['ev-1']);
    expect(s.health().fault).toBeNull();
    s.close();
  });
});

describe('integrity check while running', () => {
  it('passes on a sound file; a damaged page raises storage_error', async () => {
    const s = h.open();
    for (let i = 0; i < 20; i++) s.insertReadings(readings(i * 100, 100));
    s.housekeeping(); // checkpoint: the pages are in the main file
    expect(await s.integrityCheck()).toMatchObject({ ok: true, detail: 'ok' });
    expect(h.conditions).toEqual([]);
    const pageSize = readFileSync(h.path).readUInt16BE(16);
    const fd = openSync(h.path, 'r+');
    for (let p = 3; p < 8; p++) writeSync(fd, Buffer.alloc(200, 0xa5), 0, 200, p * pageSize);
    closeSync(fd);
    const r = await s.integrityCheck();
    expect(r.ok).toBe(false);
    expect(h.conditions).toEqual([expect.objectContaining({ code: 'storage_error', active: true, text: expect.stringMatching(/integrity check failed/i) })]);
    s.close();
  });
});
