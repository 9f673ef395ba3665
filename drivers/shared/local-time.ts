import type { DateTimeFields } from './date-time.js';

/**
 * Local wall-clock time in an IANA time zone ⇄ UTC, with the zone rules of the runtime's ICU
 * (Intl.DateTimeFormat); no dependency. Used for devices that keep local time with no zone of
 * their own (the PLXS spot-check Date Time, set from a phone or by hand).
 *
 * A local time maps to zero, one or two instants:
 * - gap (spring forward, e.g. Europe/Copenhagen 2026-03-29 02:00–03:00 does not exist): the
 *   time is read with the offset in force BEFORE the change, i.e. resolved FORWARD by the length
 *   of the gap: 02:30 → 01:30 UTC (= 03:30 CEST). A device clock cannot show such a time unless
 *   it missed the change; forward keeps the order of readings around it.
 * - fold (fall back, e.g. 2026-10-25 02:00–03:00 happens twice): the EARLIER instant, i.e. the
 *   first pass (summer time): 02:30 → 00:30 UTC (= 02:30 CEST). The fields alone cannot tell the
 *   two apart; a reading from the second pass is placed one hour early.
 * Both rules are the "compatible" choice of TC39 Temporal and of java.time.
 *
 * Assumes at most one offset change within a day either side of the time, as in every zone of
 * the IANA database. Seconds precision (the inputs have no milliseconds). An unknown zone throws
 * a RangeError: callers validate it first (src/config/preflight.ts timeZoneProblem).
 */

const DAY_MS = 86_400_000;
/** Bound on cached formatters: a hub uses one zone; tests a few. */
const MAX_FORMATTERS = 8;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, calendar: 'gregory', numberingSystem: 'latn', hourCycle: 'h23',
      era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields in `timeZone` at the instant `utcMs` (milliseconds dropped). */
export function utcToLocalFields(utcMs: number, timeZone: string): DateTimeFields {
  const parts = formatter(timeZone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  const bc = parts.find((p) => p.type === 'era')?.value === 'BC';
  const year = bc ? 1 - get('year') : get('year');
  return { year, month: get('month'), day: get('day'), hours: get('hour'), minutes: get('minute'), seconds: get('second') };
}

/** The fields read as if they were UTC (no zone): the "naive" ms of a wall-clock time. */
function naiveMs(f: DateTimeFields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day); // setUTCFullYear: years 0..99 are not shifted to 19xx
  d.setUTCHours(f.hours, f.minutes, f.seconds, 0);
  return d.getTime();
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in ms (local − UTC; +3,600,000 for CET). */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  return naiveMs(utcToLocalFields(whole, timeZone)) - whole;
}

/** UTC ms of the local wall-clock time `f` in `timeZone` (gap → forward, fold → earlier; see above). */
export function localToUtcMs(f: DateTimeFields, timeZone: string): number {
  const naive = naiveMs(f);
  const before = zoneOffsetMs(naive - DAY_MS, timeZone);
  const after = zoneOffsetMs(naive + DAY_MS, timeZone);
  const fits = (offset: number): boolean => zoneOffsetMs(naive - offset, timeZone) === offset;
  const candidates = [naive - before, naive - after].filter((utc, i) => fits(i === 0 ? before : after));
  if (candidates.length === 0) return naive - before; // gap: the offset before the change → forward
  return Math.min(...candidates); // one instant, or a fold: the earlier
}
