import type { RejectReason } from './codec.js';

/**
 * The one calendar check every codec that decodes a date and time uses (PLXS spot-check Date
 * Time, CGM Session Start Time, MEDIBUS date/time). Two kinds of fault, each with the byte (or
 * character) offset of the field at fault:
 * - `range`: a field outside its own range (month 13, hour 24, minute 60, a year outside the
 *   codec's span);
 * - `date`: every field in range but no such day in the calendar (2026-02-31, 2025-02-29,
 *   04-31), Gregorian leap years.
 * The Bluetooth Date Time format (GATT Specification Supplement, "Date Time") allows 0 for an
 * unknown year, month or day; with `unknownZero` those pass, and a day is then checked against
 * the longest month it could still be in (February 29 when the year is unknown).
 * Seconds 0..59: the format has no leap second.
 */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Offset of each field in the input, for the rejection's `at`. */
export type DateTimeOffsets = Record<keyof DateTimeFields, number>;

export interface DateTimeRules {
  minYear: number;
  maxYear: number;
  /** Year, month or day 0 means "unknown" (Bluetooth Date Time). */
  unknownZero?: boolean;
}

export type DateTimeFault = { reason: Extract<RejectReason, 'range' | 'date'>; at: number };

/** Bluetooth Date Time: year 1582..9999 or 0 (unknown); month and day 0 = unknown. */
export const BLE_DATE_TIME: DateTimeRules = { minYear: 1582, maxYear: 9999, unknownZero: true };

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in a month of a year (1..12); year 0 (unknown) counts as a leap year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year === 0 || isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** null when the date and time are valid under `rules`, else the first fault in field order. */
export function checkDateTime(t: DateTimeFields, at: DateTimeOffsets, rules: DateTimeRules): DateTimeFault | null {
  const unknown = rules.unknownZero === true;
  const intIn = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!(unknown && t.year === 0) && !intIn(t.year, rules.minYear, rules.maxYear)) return { reason: 'range', at: at.year };
  if (!intIn(t.month, unknown ? 0 : 1, 12)) return { reason: 'range', at: at.month };
  if (!intIn(t.day, unknown ? 0 : 1, 31)) return { reason: 'range', at: at.day };
  if (!intIn(t.hours, 0, 23)) return { reason: 'range', at: at.hours };
  if (!intIn(t.minutes, 0, 59)) return { reason: 'range', at: at.minutes };
  if (!intIn(t.seconds, 0, 59)) return { reason: 'range', at: at.seconds };
  if (t.month !== 0 && t.day > daysInMonth(t.year, t.month)) return { reason: 'date', at: at.day };
  return null;
}

/** Offsets of the 7-byte Bluetooth Date Time starting at `at` (u16 year, month, day, h, m, s). */
export function bleDateTimeOffsets(at: number): DateTimeOffsets {
  return { year: at, month: at + 2, day: at + 3, hours: at + 4, minutes: at + 5, seconds: at + 6 };
}
