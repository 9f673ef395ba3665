import type { Measurement, ReadingFlag } from '../../src/core/reading.js';
import type { BerryFrame } from './codec.js';

export interface ReducerOptions {
  /** Clinical readings per second (options.readingRateHz). */
  readingRateHz: number;
  /** Forward the pleth waveform (options.waveform) at `waveformHz`. */
  waveform: boolean;
  waveformHz: number;
  /** Device frame rate, used to decimate the waveform (BM1000: 100 Hz). */
  deviceHz?: number;
}

/**
 * Reduces the ~100 Hz frame stream to one reading per period of hub time. Period slots are
 * `floor(rx / period) * period`; a slot is emitted when the first frame of the next slot
 * arrives (or on flush). The reading carries the last valid SpO2 and pulse of the slot,
 * `t` = slot start and key `b:<t>` (deterministic for the same slot). The pleth samples of the
 * slot are decimated to `waveformHz` and emitted as one 'pleth' measurement (key `w:<t>`).
 */
export class StreamReducer {
  private readonly periodMs: number;
  private readonly every: number;
  private slot = -1;
  private slotWall = 0;
  /** Last slot emitted: frames of an emitted slot (e.g. right after a reconnect) are dropped, keys never repeat. */
  private done = -1;
  private spo2: number | null = null;
  private pr: number | null = null;
  private searching = false;
  private samples: number[] = [];
  private count = 0;

  constructor(private readonly o: ReducerOptions) {
    this.periodMs = Math.max(1, Math.round(1000 / o.readingRateHz));
    this.every = Math.max(1, Math.round((o.deviceHz ?? 100) / o.waveformHz));
  }

  /**
   * Feed one frame received at monotonic time `mono` and wall time `wall`; returns the
   * measurements of a completed slot. Slots run on the monotonic clock so a wall clock that
   * steps backwards neither drops nor merges readings; `t` is the wall time of the slot start.
   */
  push(f: BerryFrame, mono: number, wall: number = mono): Measurement[] {
    const slot = Math.floor(mono / this.periodMs) * this.periodMs;
    if (slot <= this.done) return [];
    const out = slot !== this.slot ? this.flush() : [];
    if (slot !== this.slot) this.slotWall = wall;
    this.slot = slot;
    if (f.spo2 !== null && !f.fingerOut && !f.probeUnplugged) this.spo2 = f.spo2;
    if (f.pr !== null && !f.fingerOut && !f.probeUnplugged) this.pr = f.pr;
    if (f.searching) this.searching = true;
    if (this.o.waveform && this.count++ % this.every === 0 && !f.fingerOut && !f.probeUnplugged) this.samples.push(f.pleth);
    return out;
  }

  /** Emit what the current slot holds and start empty. */
  flush(): Measurement[] {
    const out: Measurement[] = [];
    if (this.slot >= 0) {
      const t = this.slotWall;
      this.done = this.slot;
      const flags: ReadingFlag[] = this.searching ? ['questionable'] : [];
      // Key: wall time and monotonic slot together; unique across restarts and clock steps.
      const key = `${t}:${this.slot}`;
      const base = flags.length ? { t, key: `b:${key}`, flags } : { t, key: `b:${key}` };
      if (this.spo2 !== null) out.push({ ...base, metric: 'spo2', value: this.spo2 });
      if (this.pr !== null) out.push({ ...base, metric: 'pulse_rate', value: this.pr });
      if (this.samples.length > 0) {
        const mean = this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
        out.push({ metric: 'pleth', value: Math.round(mean * 10) / 10, t, key: `w:${key}`, samples: this.samples, periodMs: (this.every * 1000) / (this.o.deviceHz ?? 100) });
      }
    }
    this.spo2 = null; this.pr = null; this.searching = false; this.samples = []; this.count = 0;
    this.slot = -1;
    return out;
  }
}
