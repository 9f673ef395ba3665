import { describe, expect, it } from 'vitest';
import type { DateTimeFields } from '../../drivers/shared/date-time.js';
import { localToUtcMs, utcToLocalFields, zoneOffsetMs } from '../../drivers/shared/local-time.js';

const CPH = 'Europe/Copenhagen';
const H = 3_600_000;
const at = (year: number, month: number, day: number, hours: number, minutes = 0, seconds = 0): DateTimeFields => ({ year, month, day, hours, minutes, seconds });
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Known Europe/Copenhagen transitions (EU rule: last Sunday of March / October, 01:00 UTC):
 * 2026-03-29 01:00 UTC CET (+1) → CEST (+2); 2026-10-25 01:00 UTC CEST → CET.
 */
describe('local wall time in an IANA zone → UTC (Intl only)', () => {
  it('reads winter and summer local times with +1 h and +2 h', () => {
    expect(iso(localToUtcMs(at(2026, 1, 15, 12, 0), CPH))).toBe('2026-01-15T11:00:00.000Z');
    expect(iso(localToUtcMs(at(2026, 7, 1, 12, 0, 30), CPH))).toBe('2026-07-01T10:00:30.000Z');
  });

  it('spring forward: the last second before and the first after the change', () => {
    expect(iso(localToUtcMs(at(2026, 3, 29, 1, 59, 59), CPH))).toBe('2026-03-29T00:59:59.000Z');
    expect(iso(localToUtcMs(at(2026, 3, 29, 3, 0), CPH))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('gap: a local time that does not exist (02:30 on spring-forward day) resolves forward, to 03:30 CEST', () => {
    const t = localToUtcMs(at(2026, 3, 29, 2, 30), CPH);
    expect(iso(t)).toBe('2026-03-29T01:30:00.000Z');
    expect(utcToLocalFields(t, CPH)).toEqual(at(2026, 3, 29, 3, 30));
  });

  it('fold: an ambiguous autumn time (02:30 twice) is the earlier instant, in summer time', () => {
    expect(iso(localToUtcMs(at(2026, 10, 25, 2, 30), CPH))).toBe('2026-10-25T00:30:00.000Z');
    // both instants really show 02:30 in Copenhagen
    expect(utcToLocalFields(Date.UTC(2026, 9, 25, 0, 30), CPH)).toEqual(at(2026, 10, 25, 2, 30));
    expect(utcToLocalFields(Date.UTC(2026, 9, 25, 1, 30), CPH)).toEqual(at(2026, 10, 25, 2, 30));
    // either side of the fold, unambiguous
    expect(iso(localToUtcMs(at(2026, 10, 25, 1, 59, 59), CPH))).toBe('2026-10-24T23:59:59.000Z');
    expect(iso(localToUtcMs(at(2026, 10, 25, 3, 0), CPH))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('zone offsets on each side of both changes', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 2, 29, 0, 59, 59), CPH)).toBe(H);
    expect(zoneOffsetMs(Date.UTC(2026, 2, 29, 1, 0), CPH)).toBe(2 * H);
    expect(zoneOffsetMs(Date.UTC(2026, 9, 25, 0, 59, 59), CPH)).toBe(2 * H);
    expect(zoneOffsetMs(Date.UTC(2026, 9, 25, 1, 0), CPH)).toBe(H);
  });

  it('round trip: every 15 minutes across both 2026 change days, UTC → local → UTC is exact outside the fold', () => {
    for (const day of [Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 9, 24, 12)]) {
      for (let u = day; u < day + 24 * H; u += 15 * 60_000) {
        const back = localToUtcMs(utcToLocalFields(u, CPH), CPH);
        const inSecondPass = u >= Date.UTC(2026, 9, 25, 1) && u < Date.UTC(2026, 9, 25, 2);
        expect(back, iso(u)).toBe(inSecondPass ? u - H : u);
      }
    }
  });

  it('UTC is the identity, including the BLE Date Time year bounds and leap days', () => {
    for (const f of [at(2026, 3, 29, 2, 30), at(2024, 2, 29, 23, 59, 59), at(1582, 1, 1, 0), at(9999, 12, 31, 23, 59, 59)]) {
      const naive = Date.UTC(f.year, f.month - 1, f.day, f.hours, f.minutes, f.seconds);
      expect(localToUtcMs(f, 'UTC')).toBe(naive);
      expect(utcToLocalFields(naive, 'UTC')).toEqual(f);
    }
  });

  it('a zone west of UTC and one with a 30-minute offset', () => {
    expect(iso(localToUtcMs(at(2026, 3, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z'); // gap → 03:30 EDT
    expect(iso(localToUtcMs(at(2026, 6, 1, 12, 0), 'Asia/Kolkata'))).toBe('2026-06-01T06:30:00.000Z');
  });

  it('an unknown zone throws a RangeError (callers validate with timeZoneProblem first)', () => {
    expect(() => localToUtcMs(at(2026, 1, 1, 0), 'Mars/Olympus')).toThrow(RangeError);
  });
});
