import { reject, type Decoded } from './codec.js';
import type { ByteReader } from './byte-reader.js';
import { BLE_DATE_TIME, bleDateTimeOffsets, checkDateTime, type DateTimeFields } from './date-time.js';

/**
 * The 7-byte Bluetooth Date Time (u16 year, month, day, hours, minutes, seconds) as the BPS, WSS
 * and GLS measurements carry it: read at the cursor and checked with the one calendar check
 * (drivers/shared/date-time.ts). Year, month or day 0 (unknown) → null: the time cannot be placed.
 */
export function readBleDateTime(r: ByteReader): Decoded<DateTimeFields | null> {
  const at = r.at;
  const t = { year: r.u16(), month: r.u8(), day: r.u8(), hours: r.u8(), minutes: r.u8(), seconds: r.u8() };
  const bad = checkDateTime(t, bleDateTimeOffsets(at), BLE_DATE_TIME);
  if (bad) return reject(bad.reason, bad.at);
  return { ok: true, value: t.year === 0 || t.month === 0 || t.day === 0 ? null : t };
}

export function encodeBleDateTime(t: DateTimeFields): number[] {
  return [t.year & 0xff, (t.year >> 8) & 0xff, t.month, t.day, t.hours, t.minutes, t.seconds];
}

/** `YYYY-MM-DDTHH:MM:SS` (device wall time, no zone). */
export function formatWallTime(t: DateTimeFields): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hours)}:${p(t.minutes)}:${p(t.seconds)}`;
}

/** The wall time `minutes` later (GLS base time + time offset), calendar arithmetic without a zone. */
export function addMinutes(t: DateTimeFields, minutes: number): DateTimeFields {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hours, t.minutes + minutes, t.seconds, 0);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hours: d.getUTCHours(), minutes: d.getUTCMinutes(), seconds: d.getUTCSeconds() };
}
