import type { Reading } from '../core/reading.js';
import type { AlarmEvent } from '../alarms/types.js';

/**
 * What could not be written while the storage failed, held in memory (bounded) until a write
 * succeeds again; then it is written first, in the order it arrived, so per device readings keep
 * their measurement order and alarm events their event order. Nothing here is durable: a restart
 * during the fault loses it (the storage alarm says so).
 */

/** Alarm events held at most. */
export const HELD_ALARM_EVENTS_MAX = 10_000;
/** Alarm instances remembered as "an event of it was dropped" at most. */
export const DROPPED_ALARMS_MAX = 10_000;
/** Readings held at most. */
export const HELD_READINGS_MAX = 20_000;
/** Waveform samples held at most (~8 MB of numbers). */
export const HELD_SAMPLES_MAX = 1_000_000;

/**
 * Held alarm events. When full, a new event is dropped (counted), and every later event of the
 * same alarm instance is dropped too, up to and including its `cleared`: the backend may miss an
 * alarm, but it never sees an instance's `cleared` (or `acknowledged`) without its `raised`.
 */
export class HeldAlarmEvents {
  private q: AlarmEvent[] = [];
  private readonly droppedAlarms = new Set<string>();
  /** Events dropped since the store was opened. */
  dropped = 0;

  get size(): number { return this.q.length; }
  list(): readonly AlarmEvent[] { return this.q; }
  clear(): void { this.q = []; }

  /** True when the event is held; false when it was dropped. */
  push(e: AlarmEvent): boolean {
    if (this.droppedAlarms.has(e.alarm)) {
      if (e.event === 'cleared') this.droppedAlarms.delete(e.alarm);
      this.dropped++;
      return false;
    }
    if (this.q.length >= HELD_ALARM_EVENTS_MAX) {
      if (e.event !== 'cleared' && this.droppedAlarms.size < DROPPED_ALARMS_MAX) this.droppedAlarms.add(e.alarm);
      this.dropped++;
      return false;
    }
    this.q.push(e);
    return true;
  }

  /** An event written directly: false when it belongs to an instance whose earlier event was dropped. */
  admits(e: AlarmEvent): boolean {
    if (!this.droppedAlarms.has(e.alarm)) return true;
    if (e.event === 'cleared') this.droppedAlarms.delete(e.alarm);
    this.dropped++;
    return false;
  }
}

/**
 * Held readings. Over a bound, the oldest high-rate (lane 2) readings go first, then the oldest
 * clinical ones (lane 1): the same order as the byte budget's eviction. Dropped readings are
 * counted per lane.
 */
export class HeldReadings {
  private q: Reading[] = [];
  private samples = 0;
  readonly dropped: [number, number, number] = [0, 0, 0];

  get size(): number { return this.q.length; }
  list(): readonly Reading[] { return this.q; }
  clear(): void { this.q = []; this.samples = 0; }

  add(batches: ReadonlyArray<readonly Reading[]>): void {
    for (const b of batches) {
      for (const r of b) {
        this.q.push(r);
        this.samples += r.samples?.length ?? 0;
      }
    }
    if (this.q.length > HELD_READINGS_MAX || this.samples > HELD_SAMPLES_MAX) this.shrink();
  }

  private shrink(): void {
    for (const lane of [2, 1, 0] as const) {
      let excessRows = this.q.length - HELD_READINGS_MAX;
      let excessSamples = this.samples - HELD_SAMPLES_MAX;
      if (excessRows <= 0 && excessSamples <= 0) return;
      const kept: Reading[] = [];
      for (const r of this.q) {
        if (r.lane === lane && (excessRows > 0 || excessSamples > 0)) {
          const n = r.samples?.length ?? 0;
          excessRows--;
          excessSamples -= n;
          this.samples -= n;
          this.dropped[lane]++;
          continue;
        }
        kept.push(r);
      }
      this.q = kept;
    }
  }
}
