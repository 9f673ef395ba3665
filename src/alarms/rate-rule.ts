import type { RateRule } from './config-schema.js';

/**
 * Rate of change over a window, evaluated purely. The rate is the change between the oldest and
 * the newest reading inside the window, per minute; it is only trusted when the readings span at
 * least half the window (two readings a few seconds apart say nothing about a trend).
 */
export interface RateState {
  t: number[];
  v: number[];
  head: number;
}

export function newRateState(): RateState {
  return { t: [], v: [], head: 0 };
}

/** Adds a reading and returns the rate per minute, or undefined when the window is too thin. */
export function addRateSample(rule: RateRule, s: RateState, mono: number, value: number): number | undefined {
  s.t.push(mono);
  s.v.push(value);
  const windowMs = rule.windowS * 1000;
  while (s.head < s.t.length - 1 && mono - s.t[s.head]! > windowMs) s.head++;
  if (s.head > 64 && s.head * 2 > s.t.length) {
    s.t.splice(0, s.head);
    s.v.splice(0, s.head);
    s.head = 0;
  }
  const t0 = s.t[s.head]!;
  const span = mono - t0;
  if (span < windowMs / 2) return undefined;
  return ((value - s.v[s.head]!) / span) * 60_000;
}

export function clearRate(s: RateState): void {
  s.t.length = 0;
  s.v.length = 0;
  s.head = 0;
}
