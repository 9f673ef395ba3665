import type { RateState } from './rate-rule.js';
import { newRateState } from './rate-rule.js';
import type { ThresholdState } from './threshold-rule.js';
import { newThresholdState } from './threshold-rule.js';

/**
 * Reading sources (device + metric) and their freshness. A source is stale when no usable
 * reading arrived for `staleAfterIntervals` × the metric's expected interval, on the monotonic
 * clock. While stale, its clinical conditions are not evaluated on the old value.
 */
export interface Source {
  key: string;
  device: string;
  metric: string;
  lastMono: number;
  lastValue: number | undefined;
  stale: boolean;
  low: ThresholdState | undefined;
  high: ThresholdState | undefined;
  rate: RateState;
}

export function sourceKey(device: string, metric: string): string {
  return `${device}|${metric}`;
}

export class StaleWatch {
  private readonly sources = new Map<string, Source>();

  get(device: string, metric: string, mono: number): Source {
    const key = sourceKey(device, metric);
    let s = this.sources.get(key);
    if (!s) {
      s = { key, device, metric, lastMono: mono, lastValue: undefined, stale: false, low: undefined, high: undefined, rate: newRateState() };
      this.sources.set(key, s);
    }
    return s;
  }

  find(key: string): Source | undefined {
    return this.sources.get(key);
  }

  /** A fresh reading. Returns true when the source was stale until now. */
  fresh(s: Source, mono: number, value: number): boolean {
    s.lastMono = mono;
    s.lastValue = value;
    const was = s.stale;
    s.stale = false;
    return was;
  }

  /**
   * Sources that have just gone stale. `limitMs(metric)` gives the stale limit, or undefined
   * when the metric is not watched (no rule, or unknown interval).
   */
  check(mono: number, limitMs: (metric: string) => number | undefined): Source[] {
    const out: Source[] = [];
    for (const s of this.sources.values()) {
      if (s.stale) continue;
      const limit = limitMs(s.metric);
      if (limit !== undefined && mono - s.lastMono > limit) {
        s.stale = true;
        out.push(s);
      }
    }
    return out;
  }

  remove(key: string): void {
    this.sources.delete(key);
  }

  all(): IterableIterator<Source> {
    return this.sources.values();
  }

  ensureLevels(s: Source, low: number | undefined, high: number | undefined): void {
    if (low === undefined) s.low = undefined;
    else if (!s.low) s.low = newThresholdState(low);
    if (high === undefined) s.high = undefined;
    else if (!s.high) s.high = newThresholdState(high);
  }
}
