import { z } from 'zod';

/**
 * Time sanity of a measurement, in the pipeline (issue 10, "Time sanity").
 *
 * 1. Range: a `t` that is not a finite number inside the JS Date range (±8.64e15 ms, ECMA-262
 *    "Time Values and Time Range") cannot be stored or published (`toISOString` throws). Such a
 *    measurement is rejected on its own, counted under `bad_time`; the rest of the batch goes on.
 *
 * 2. Window: a reading whose `t` lies further from the hub's synchronised clock than the window
 *    is kept, with the flag `time-suspect`; `clock` still says what `t` rests on. Two bounds,
 *    because the honest cases are one-sided:
 *    - future: nothing is measured in the future; only the device clock's drift can put `t` ahead.
 *      Watch crystals are ±20 ppm (consumer grade up to ±50 ppm), i.e. 1.7 (4.3) s a day,
 *      about 10.5 (26) minutes a year. Default 30 minutes: a device clock left running fast for a
 *      year is not flagged; a wrong date, a 12 h AM/PM slip, or a zone or DST error of an hour is.
 *    - past: backfill legitimately brings old readings (RACP). A CGM record's time is session
 *      start + Time Offset, a uint16 count of minutes (CGMS, CGM Measurement 0x2AA7), so no record
 *      of a running session is older than 65,535 min ≈ 45.5 days; sensor lives are 10 to 15 days.
 *      Default 60 days: honest CGM backfill is never flagged; an RTC reset to 2000-01-01 or a year
 *      set wrong is. A device that keeps records for longer (a spot-check oximeter with a large
 *      memory, read after a long hub outage) needs `pastDays` raised to its memory span.
 *    When the hub clock is not synchronised there is nothing to compare against: no flag, and the
 *    reading carries `clock: "unsynced"`, which already tells the backend not to trust `t`.
 */
export const TIME_RANGE_MS = 8.64e15;

const DEFAULTS = { futureMinutes: 30, pastDays: 60 };

export const timeSuspectSchema = z.strictObject({
  futureMinutes: z.number().int().min(1).max(24 * 60).default(DEFAULTS.futureMinutes)
    .describe('A reading timed more than this many minutes ahead of the synchronised hub clock is flagged `time-suspect` (device clock drift is ~10-26 min/year).'),
  pastDays: z.number().int().min(1).max(3650).default(DEFAULTS.pastDays)
    .describe('A reading timed more than this many days before the synchronised hub clock is flagged `time-suspect`. Above the longest honest backfill (CGMS records reach 45.5 days).'),
}).default(DEFAULTS)
  .describe('Time sanity window: readings outside it are stored and sent with the flag `time-suspect`. Not checked while the hub clock is unsynchronised.');

export type TimeSuspectWindow = z.output<typeof timeSuspectSchema>;

export const TIME_SUSPECT_DEFAULTS: TimeSuspectWindow = timeSuspectSchema.parse(undefined);

/** Why `t` cannot be a measurement time, or null when it can. */
export function timeRangeProblem(t: unknown): string | null {
  if (typeof t !== 'number' || !Number.isFinite(t)) return 'time is not a finite number';
  if (Math.abs(t) > TIME_RANGE_MS) return `time ${t} ms is outside the representable date range (±${TIME_RANGE_MS} ms)`;
  return null;
}

/**
 * True when `t` is outside the window around `now`. Only meaningful with a synchronised hub
 * clock: the caller passes `synced`, and an unsynchronised clock never flags.
 */
export function isTimeSuspect(t: number, now: number, synced: boolean, w: TimeSuspectWindow): boolean {
  if (!synced) return false;
  return t - now > w.futureMinutes * 60_000 || now - t > w.pastDays * 86_400_000;
}
