import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmInputs } from '../../src/alarms/types.js';
import { configSchema } from '../../src/config/schema.js';
import { FakeClock } from '../../src/core/clock.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import type { DeviceKind, Measurement, ReadingJson } from '../../src/core/reading.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { TimeSuspectWindow } from '../../src/pipeline/time-sanity.js';
import { Store } from '../../src/store/store.js';

const MIN = 60_000;
/** The smallest valid config (uplink on loopback) with the given hub section. */
const parseHub = (hub: Record<string, unknown>) => configSchema.safeParse({ hub: { id: 'h', ...hub }, uplink: { mqtt: { url: 'mqtt://127.0.0.1:1883' } } });
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

/** Real Pipeline into a real Store on a SQLite file; what is asserted is what would be published. */
describe('time sanity: device time against the synchronised hub clock', () => {
  let dir: string;
  let store: Store;
  let clock: FakeClock;
  const seen: string[] = [];
  const alarms: AlarmInputs = { onReading: (r) => seen.push(`${r.device}:${r.metric}`), technical: () => {}, deviceAlarm: () => {} };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-time-'));
    clock = new FakeClock(NOW, true);
    // group commit on real timers, so concurrent submits share one transaction as in the hub
    store = Store.open({ path: join(dir, 'c.db'), maxBytes: 50_000_000, retainSentHours: 1, log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {} });
    seen.length = 0;
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pipeline = (timeSuspect?: TimeSuspectWindow, log = silentLogger()): Pipeline =>
    new Pipeline({ clock, log, alarms, sink: store, ...(timeSuspect ? { timeSuspect } : {}) });
  const stored = (): ReadingJson[] => store.pending(1, 0, 1000).map((r) => JSON.parse(r.payload) as ReadingJson);
  const byKey = (): Map<string, ReadingJson> => new Map(stored().map((r) => [`${r.device}:${r.t}`, r]));
  const glucoseAt = (t: number, key: string): Measurement => ({ metric: 'glucose', value: 6.1, t, deviceTime: true, key });

  it('flags a device time beyond the future bound (default 30 min), keeping clock "device"', async () => {
    await pipeline().submit('cgm-1', 'cgm', [glucoseAt(NOW + 31 * MIN, 'a'), glucoseAt(NOW + 10 * 365 * DAY, 'b')]);
    const rs = stored();
    expect(rs).toHaveLength(2);
    for (const r of rs) expect(r).toMatchObject({ clock: 'device', flags: ['time-suspect'] });
  });

  it('flags a device time beyond the past bound (default 60 days): an RTC reset to 2000-01-01', async () => {
    await pipeline().submit('oxi-1', 'oximeter', [
      { metric: 'spo2', value: 96, t: Date.UTC(2000, 0, 1), deviceTime: true, key: 's:2000', flags: ['stored'] },
      { metric: 'spo2', value: 95, t: NOW - 61 * DAY, deviceTime: true, key: 's:61d' },
    ]);
    for (const r of stored()) expect(r).toMatchObject({ clock: 'device' });
    expect(stored().map((r) => r.flags)).toEqual([['stored', 'time-suspect'], ['time-suspect']]);
  });

  it('does not flag readings within the window: clock drift, honest 14-day CGM backfill, the longest CGMS offset', async () => {
    await pipeline().submit('cgm-1', 'cgm', [
      glucoseAt(NOW + 29 * MIN, 'drift'),
      glucoseAt(NOW - 14 * DAY, 'backfill'),
      glucoseAt(NOW - 65_535 * MIN, 'max-offset'), // uint16 minutes of Time Offset: 45.5 days
      { metric: 'glucose', value: 6.2, key: 'hub-timed' }, // no device time: t = receive time
    ]);
    const rs = stored();
    expect(rs).toHaveLength(4);
    for (const r of rs) expect(r.flags).toEqual([]);
  });

  it('honours a configured window', async () => {
    const c = parseHub({ timeSuspect: { futureMinutes: 5, pastDays: 1 } });
    if (!c.success) throw c.error;
    const w = c.data.hub.timeSuspect;
    await pipeline(w).submit('cgm-1', 'cgm', [glucoseAt(NOW + 6 * MIN, 'f'), glucoseAt(NOW - 2 * DAY, 'p'), glucoseAt(NOW - 3 * MIN, 'ok')]);
    const m = byKey();
    expect(m.get(`cgm-1:${new Date(NOW + 6 * MIN).toISOString()}`)?.flags).toEqual(['time-suspect']);
    expect(m.get(`cgm-1:${new Date(NOW - 2 * DAY).toISOString()}`)?.flags).toEqual(['time-suspect']);
    expect(m.get(`cgm-1:${new Date(NOW - 3 * MIN).toISOString()}`)?.flags).toEqual([]);
  });

  it('cannot check while the hub clock is unsynchronised: no flag, clock "unsynced"', async () => {
    clock.setSynced(false);
    await pipeline().submit('cgm-1', 'cgm', [glucoseAt(NOW + 10 * 365 * DAY, 'far'), glucoseAt(NOW - 10 * 365 * DAY, 'old')]);
    const rs = stored();
    expect(rs).toHaveLength(2);
    for (const r of rs) expect(r).toMatchObject({ clock: 'unsynced', flags: [] });
    // once the clock is synchronised, the same kind of reading is checked again
    clock.setSynced(true);
    await pipeline().submit('cgm-1', 'cgm', [glucoseAt(NOW + 10 * 365 * DAY + MIN, 'far2')]);
    expect(stored().find((r) => r.clock === 'device')?.flags).toEqual(['time-suspect']);
  });

  it('the config default is the documented window and its bounds are enforced', () => {
    const d = parseHub({});
    expect(d.success && d.data.hub.timeSuspect).toEqual({ futureMinutes: 30, pastDays: 60 });
    expect(parseHub({ timeSuspect: { futureMinutes: 0 } }).error?.issues[0]?.path).toEqual(['hub', 'timeSuspect', 'futureMinutes']);
    expect(parseHub({ timeSuspect: { pastDays: 3651 } }).error?.issues[0]?.path).toEqual(['hub', 'timeSuspect', 'pastDays']);
    const partial = parseHub({ timeSuspect: { pastDays: 30 } });
    expect(partial.success && partial.data.hub.timeSuspect).toEqual({ futureMinutes: 30, pastDays: 30 });
  });
});

describe('time outside the JS Date range: rejected per reading, never failing a batch', () => {
  let dir: string;
  let store: Store;
  const clock = new FakeClock(NOW, true);
  const alarmed: string[] = [];
  const alarms: AlarmInputs = { onReading: (r) => alarmed.push(`${r.device}:${r.value}`), technical: () => {}, deviceAlarm: () => {} };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-time-'));
    store = Store.open({ path: join(dir, 'c.db'), maxBytes: 50_000_000, retainSentHours: 1, log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {} });
    alarmed.length = 0;
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one bad time among good readings from three devices in one group commit: the good ones are stored', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); return true; } } as unknown as NodeJS.WritableStream });
    const rejected: string[] = [];
    const p = new Pipeline({ clock, log, alarms, sink: store, onRejected: (d, m, reason) => rejected.push(`${d}:${m}:${reason}`) });
    const batch = (device: string, kind: DeviceKind, metric: string, values: number[], bad: Measurement[] = []): Promise<void> =>
      p.submit(device, kind, [...values.map((v, i) => ({ metric, value: v, t: NOW - i * 1000, deviceTime: true, key: `${device}-${i}` })), ...bad]);
    // Submitted together, so all three land in the same store transaction (group commit window).
    await Promise.all([
      batch('oxi-1', 'oximeter', 'spo2', [97, 96]),
      batch('cgm-1', 'cgm', 'glucose', [6.1, 6.2], [
        { metric: 'glucose', value: 6.3, t: 8.64e15 + 1, deviceTime: true, key: 'beyond' },
        { metric: 'glucose', value: 6.4, t: Number.POSITIVE_INFINITY, deviceTime: true, key: 'inf' },
        { metric: 'glucose', value: 6.5, t: Number.NaN, deviceTime: true, key: 'nan' },
      ]),
      batch('vent-1', 'ventilator', 'resp_rate', [14, 15]),
    ]);
    const rows = store.pending(1, 0, 100).map((r) => JSON.parse(r.payload) as ReadingJson);
    expect(rows.map((r) => `${r.device}:${r.value}`).sort()).toEqual(['cgm-1:6.1', 'cgm-1:6.2', 'oxi-1:96', 'oxi-1:97', 'vent-1:14', 'vent-1:15']);
    expect(p.counts('cgm-1')).toEqual({ accepted: 2, rejected: { bad_time: 3 } });
    expect(p.counts('oxi-1')).toEqual({ accepted: 2, rejected: {} });
    expect(rejected).toEqual(['cgm-1:glucose:bad_time', 'cgm-1:glucose:bad_time', 'cgm-1:glucose:bad_time']);
    // the bad readings never reached the alarm engine either
    expect(alarmed.filter((a) => a.startsWith('cgm-1'))).toEqual(['cgm-1:6.1', 'cgm-1:6.2']);
    // logged once per device and reason, with where and why; the rest only counted
    const warns = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.reason === 'bad_time');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ device: 'cgm-1', metric: 'glucose', reason: 'bad_time' });
    expect(String(warns[0]!.detail)).toContain('outside the representable date range');
  });

  it('the edges of the Date range are accepted (and flagged as far off)', async () => {
    const p = new Pipeline({ clock, log: silentLogger(), alarms, sink: store });
    await p.submit('cgm-1', 'cgm', [
      { metric: 'glucose', value: 5, t: 8.64e15, deviceTime: true, key: 'max' },
      { metric: 'glucose', value: 5, t: -8.64e15, deviceTime: true, key: 'min' },
    ]);
    const rows = store.pending(1, 0, 10).map((r) => JSON.parse(r.payload) as ReadingJson);
    expect(rows.map((r) => r.t).sort()).toEqual(['+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z']);
    for (const r of rows) expect(r.flags).toEqual(['time-suspect']);
  });
});
