import { describe, expect, it } from 'vitest';
import { CODECS } from '../../drivers/codecs.js';
import { checkDateTime, daysInMonth, bleDateTimeOffsets, BLE_DATE_TIME } from '../../drivers/shared/date-time.js';
import { buildResponse, Cmd } from '../../drivers/ventilator-medibus/commands.js';
import { parseDateTime } from '../../drivers/ventilator-medibus/records.js';

/**
 * Impossible calendar dates are rejected by every codec that decodes a date, with the reason and
 * the offset of the field at fault (contract §6). Before this, 2026-02-31 decoded as a valid
 * spot-check and Date.UTC silently turned it into 3 March.
 */
const dec = (name: string, bytes: number[]) => CODECS.get(name)!.decode(Uint8Array.from(bytes), {});

/** Bluetooth Date Time, 7 bytes. */
const dt = (y: number, mo: number, d: number, h = 10, mi = 0, s = 0): number[] => [y & 0xff, y >> 8, mo, d, h, mi, s];

// PLX spot-check: flags 0x01 (timestamp present), SpO2 98, PR 72, then the Date Time at offset 5.
const plx = (date: number[]) => dec('plx-spot-check', [0x01, 0x62, 0x00, 0x48, 0x00, ...date]);
// CGM Session Start Time: Date Time at offset 0, zone +4 (UTC+1), DST 0.
const cgm = (date: number[]) => dec('cgm-session-start-time', [...date, 0x04, 0x00]);
// MEDIBUS date/time response: SOH, code, then the text from offset 2.
const medibus = (text: string) => dec('medibus', [...buildResponse(Cmd.DateTime, text)]);

describe('the shared date-time check', () => {
  it('knows month lengths and Gregorian leap years', () => {
    expect([2024, 2025, 2100, 2000].map((y) => daysInMonth(y, 2))).toEqual([29, 28, 28, 29]);
    expect([1, 4, 6, 9, 11, 12].map((m) => daysInMonth(2026, m))).toEqual([31, 30, 30, 30, 30, 31]);
    expect(daysInMonth(0, 2)).toBe(29); // year unknown: February 29 may exist
  });

  it('names the field at fault', () => {
    const at = bleDateTimeOffsets(10);
    const ok = { year: 2026, month: 2, day: 28, hours: 23, minutes: 59, seconds: 59 };
    expect(checkDateTime(ok, at, BLE_DATE_TIME)).toBeNull();
    expect(checkDateTime({ ...ok, day: 31 }, at, BLE_DATE_TIME)).toEqual({ reason: 'date', at: 13 });
    expect(checkDateTime({ ...ok, month: 13 }, at, BLE_DATE_TIME)).toEqual({ reason: 'range', at: 12 });
    expect(checkDateTime({ ...ok, hours: 24 }, at, BLE_DATE_TIME)).toEqual({ reason: 'range', at: 14 });
    expect(checkDateTime({ ...ok, minutes: 60 }, at, BLE_DATE_TIME)).toEqual({ reason: 'range', at: 15 });
    expect(checkDateTime({ ...ok, seconds: 60 }, at, BLE_DATE_TIME)).toEqual({ reason: 'range', at: 16 });
    expect(checkDateTime({ ...ok, year: 1581 }, at, BLE_DATE_TIME)).toEqual({ reason: 'range', at: 10 });
    expect(checkDateTime({ ...ok, year: 0, day: 29 }, at, BLE_DATE_TIME)).toBeNull(); // unknown year
    expect(checkDateTime({ ...ok, year: 0, day: 30 }, at, BLE_DATE_TIME)).toEqual({ reason: 'date', at: 13 });
  });
});

describe('plx-spot-check dates', () => {
  it('accepts real dates, including a leap day', () => {
    expect(plx(dt(2026, 2, 28, 23, 59, 59))).toMatchObject({ ok: true, value: { timestamp: '2026-02-28T23:59:59' } });
    expect(plx(dt(2028, 2, 29))).toMatchObject({ ok: true, value: { timestamp: '2028-02-29T10:00:00' } });
  });
  it('rejects Feb 31, Feb 29 of a common year, Apr 31, month 13, hour 24, minute 60', () => {
    expect(plx(dt(2026, 2, 31))).toEqual({ ok: false, reason: 'date', at: 8 });
    expect(plx(dt(2026, 2, 29))).toEqual({ ok: false, reason: 'date', at: 8 });
    expect(plx(dt(2026, 4, 31))).toEqual({ ok: false, reason: 'date', at: 8 });
    expect(plx(dt(2026, 13, 1))).toEqual({ ok: false, reason: 'range', at: 7 });
    expect(plx(dt(2026, 1, 1, 24))).toEqual({ ok: false, reason: 'range', at: 9 });
    expect(plx(dt(2026, 1, 1, 10, 60))).toEqual({ ok: false, reason: 'range', at: 10 });
  });
});

describe('cgm-session-start-time dates', () => {
  it('accepts a real date', () => {
    expect(cgm(dt(2026, 11, 23, 9, 0))).toMatchObject({ ok: true, value: { date_time: '2026-11-23T09:00:00' } });
  });
  it('rejects Feb 31, Nov 31, month 13, hour 24, second 60', () => {
    expect(cgm(dt(2026, 2, 31))).toEqual({ ok: false, reason: 'date', at: 3 });
    expect(cgm(dt(2026, 11, 31))).toEqual({ ok: false, reason: 'date', at: 3 });
    expect(cgm(dt(2026, 13, 1))).toEqual({ ok: false, reason: 'range', at: 2 });
    expect(cgm(dt(2026, 1, 1, 24))).toEqual({ ok: false, reason: 'range', at: 4 });
    expect(cgm(dt(2026, 1, 1, 10, 0, 60))).toEqual({ ok: false, reason: 'range', at: 6 });
  });
});

describe('medibus date/time', () => {
  it('accepts a real date', () => {
    expect(parseDateTime('14:05:0929-FEB-28')).toEqual({ ok: true, value: '2028-02-29T14:05:09' });
    expect(medibus('14:05:0923-DEZ-26')).toMatchObject({ ok: true, value: { date_time: '2026-12-23T14:05:09' } });
  });
  it('rejects 31-FEB, 29-FEB of a common year, hour 24, minute 60 at the character at fault', () => {
    // text "HH:MM:SSDD-MON-YY" starts at frame offset 2: hours 2, minutes 5, seconds 8, day 10
    expect(medibus('14:05:0931-FEB-26')).toEqual({ ok: false, reason: 'date', at: 10 });
    expect(medibus('14:05:0929-FEB-26')).toEqual({ ok: false, reason: 'date', at: 10 });
    expect(medibus('24:05:0901-FEB-26')).toEqual({ ok: false, reason: 'range', at: 2 });
    expect(medibus('14:60:0901-FEB-26')).toEqual({ ok: false, reason: 'range', at: 5 });
    expect(medibus('14:05:0900-FEB-26')).toEqual({ ok: false, reason: 'range', at: 10 });
  });
});
