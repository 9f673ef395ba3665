import { ok, reject, type Decoded } from '../shared/codec.js';
import type { CrcVariant } from '../shared/crc.js';
import { BLE_DATE_TIME, bleDateTimeOffsets, checkDateTime, type DateTimeFields } from '../shared/date-time.js';
import { decodeSized } from './codec-feature.js';
import { maybeCrc, u16, type CrcState, type E2eOptions } from './e2e.js';

/**
 * CGM Session Start Time (0x2AAA): Date Time (uint16 year, 0 = unknown; month; day; hours;
 * minutes; seconds) | Time Zone sint8 in 15-minute units (-128 unknown) | DST offset uint8
 * (0 standard, 2 = +30 min, 4 = +60 min, 8 = +120 min, 255 unknown) | [CRC]. The date/time is
 * local time; UTC = local − time zone − DST.
 */
export interface SessionStartTime extends DateTimeFields {
  /** Raw time zone in 15-minute units; -128 unknown. */
  timeZone: number;
  /** Raw DST code. */
  dst: number;
  crc: CrcState;
}

const DST_MIN: Record<number, number> = { 0: 0, 2: 30, 4: 60, 8: 120 };

export function decodeSessionStartTime(b: Uint8Array, e2e: E2eOptions): Decoded<SessionStartTime> {
  const c = decodeSized(b, 9, e2e);
  if (!c.ok) return c;
  const year = u16(b, 0);
  const [month, day, hours, minutes, seconds] = [b[2] ?? 0, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0, b[6] ?? 0];
  const bad = checkDateTime({ year, month, day, hours, minutes, seconds }, bleDateTimeOffsets(0), BLE_DATE_TIME);
  if (bad) return reject(bad.reason, bad.at);
  const tzRaw = b[7] ?? 0;
  const timeZone = tzRaw >= 0x80 ? tzRaw - 0x100 : tzRaw;
  if (timeZone !== -128 && (timeZone < -48 || timeZone > 56)) return reject('range', 7);
  const dst = b[8] ?? 0;
  if (dst !== 255 && DST_MIN[dst] === undefined) return reject('reserved', 8);
  return ok({ year, month, day, hours, minutes, seconds, timeZone, dst, crc: c.value });
}

/** True when the date part is fully known (year, month and day not 0). */
export function startKnown(s: SessionStartTime): boolean {
  return s.year !== 0 && s.month !== 0 && s.day !== 0;
}

export function timeZoneMin(s: SessionStartTime): number | null {
  return s.timeZone === -128 ? null : s.timeZone * 15;
}

export function dstOffsetMin(s: SessionStartTime): number | null {
  return DST_MIN[s.dst] ?? null;
}

/**
 * The session start in ms since the epoch (UTC), or null when the date is unknown. An unknown
 * time zone or DST counts as 0; `exact` says whether both were known.
 */
export function sessionStartUtcMs(s: SessionStartTime): { ms: number; exact: boolean } | null {
  if (!startKnown(s)) return null;
  const local = Date.UTC(s.year, s.month - 1, s.day, s.hours, s.minutes, s.seconds);
  const tz = timeZoneMin(s);
  const dst = dstOffsetMin(s);
  return { ms: local - ((tz ?? 0) + (dst ?? 0)) * 60_000, exact: tz !== null && dst !== null };
}

/** Encode a UTC instant as Session Start Time with the given zone (15-min units) and DST code. */
export function encodeSessionStartTime(utcMs: number | null, timeZone: number, dst: number, crc: CrcVariant | null): Uint8Array {
  const out = new Uint8Array(9);
  if (utcMs !== null) {
    const local = new Date(utcMs + (timeZone === -128 ? 0 : timeZone * 15 + (DST_MIN[dst] ?? 0)) * 60_000);
    const y = local.getUTCFullYear();
    out.set([y & 0xff, y >> 8, local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()]);
  }
  out[7] = timeZone & 0xff;
  out[8] = dst & 0xff;
  return maybeCrc(out, crc);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatDateTime(s: SessionStartTime): string | null {
  if (!startKnown(s)) return null;
  return `${pad(s.year, 4)}-${pad(s.month)}-${pad(s.day)}T${pad(s.hours)}:${pad(s.minutes)}:${pad(s.seconds)}`;
}

export function sessionStartToJson(s: SessionStartTime): Record<string, unknown> {
  return { date_time: formatDateTime(s), time_zone_min: timeZoneMin(s), dst_offset_min: dstOffsetMin(s), crc: s.crc };
}
