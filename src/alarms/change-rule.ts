import type { ChangeRule } from './config-schema.js';

/**
 * Change of a value over days, by MEASUREMENT time (the reading's `t`), for spot measurements
 * such as a daily weight: "a gain of more than 2 kg in 3 days" (2021 ESC heart-failure guideline,
 * self-care). Days-scale trends are about when the patient measured, not when the hub heard it:
 * a scale hands over several days of weighings at once after a week away from the hub, so the
 * monotonic receive clock (the `rate` rule's) cannot place them.
 *
 * Gain = the newest value minus the lowest value measured within `windowH` before it; loss = the
 * highest minus the newest. History is bounded (MAX_SAMPLES per source, oldest dropped) and kept
 * in memory: after a hub restart the window fills again from new readings.
 */
export const MAX_SAMPLES = 64;

export interface ChangeState { t: number[]; v: number[] }

export function newChangeState(): ChangeState {
  return { t: [], v: [] };
}

/** Adds a reading in measurement-time order (a re-read duplicate is ignored). */
export function addChangeSample(s: ChangeState, t: number, value: number): void {
  let i = s.t.length;
  while (i > 0 && (s.t[i - 1] as number) > t) i--;
  if (i > 0 && s.t[i - 1] === t && s.v[i - 1] === value) return;
  s.t.splice(i, 0, t);
  s.v.splice(i, 0, value);
  if (s.t.length > MAX_SAMPLES) { s.t.shift(); s.v.shift(); }
}

/** Gain and loss of the value at `t` against the window before it; undefined with no earlier sample in the window. */
export function changeAt(rule: ChangeRule, s: ChangeState, t: number, value: number): { gain: number; loss: number; spanH: number } | undefined {
  const from = t - rule.windowH * 3600_000;
  let min = Infinity;
  let max = -Infinity;
  let first = Infinity;
  for (let i = 0; i < s.t.length; i++) {
    const ti = s.t[i] as number;
    if (ti < from || ti >= t) continue;
    const vi = s.v[i] as number;
    if (vi < min) min = vi;
    if (vi > max) max = vi;
    if (ti < first) first = ti;
  }
  if (first === Infinity) return undefined;
  return { gain: value - min, loss: max - value, spanH: (t - first) / 3600_000 };
}
