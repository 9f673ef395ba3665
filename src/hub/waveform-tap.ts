import { LANE_HIGHRATE, type Reading } from '../core/reading.js';

/** Seconds of each waveform the tap keeps (what a live view shows). */
export const WAVE_WINDOW_MS = 10_000;
/** Samples kept per waveform, at most: 10 s at 250 Hz, the schema's highest waveformHz. */
export const WAVE_MAX_SAMPLES = 2_500;
/** Waveforms kept per device, at most (a MEDIBUS ventilator forwards at most a few). */
export const WAVE_MAX_METRICS = 6;
/** Devices with waveforms kept, at most (the config bounds devices further). */
export const WAVE_MAX_DEVICES = 32;

/** One waveform of a device: evenly spaced samples, the first at `t0` (ms since the epoch). */
export interface WaveWindow {
  unit: string;
  periodMs: number;
  t0: number;
  samples: number[];
}

interface Ring { unit: string; periodMs: number; chunks: Array<{ t: number; samples: number[] }>; count: number }

/**
 * The last seconds of every forwarded waveform, in memory, for the console's live view. It sees
 * the pipeline's accepted high-rate readings (a waveform reaches it only when the device
 * forwards one: `options.waveform`); everything else passes by with one comparison. Every
 * dimension is bounded: seconds, samples per waveform, waveforms per device, devices. Nothing
 * here is stored or sent anywhere: the store and the uplink have their own copy.
 */
export class WaveformTap {
  private readonly devices = new Map<string, Map<string, Ring>>();

  offer(r: Reading): void {
    if (r.lane !== LANE_HIGHRATE || !r.samples || r.samples.length === 0 || !(r.periodMs! > 0)) return;
    let metrics = this.devices.get(r.device);
    if (!metrics) {
      if (this.devices.size >= WAVE_MAX_DEVICES) return;
      metrics = new Map();
      this.devices.set(r.device, metrics);
    }
    let ring = metrics.get(r.metric);
    if (!ring) {
      if (metrics.size >= WAVE_MAX_METRICS) return;
      ring = { unit: r.unit, periodMs: r.periodMs!, chunks: [], count: 0 };
      metrics.set(r.metric, ring);
    }
    const last = ring.chunks.at(-1);
    // a new rate, or time running backwards (a device clock step): start the window afresh
    if (ring.periodMs !== r.periodMs || (last && r.t < last.t)) { ring.chunks = []; ring.count = 0; ring.periodMs = r.periodMs!; }
    const samples = r.samples.length > WAVE_MAX_SAMPLES ? r.samples.slice(-WAVE_MAX_SAMPLES) : r.samples.slice();
    ring.chunks.push({ t: r.t + (r.samples.length - samples.length) * ring.periodMs, samples });
    ring.count += samples.length;
    const newest = r.t + r.samples.length * ring.periodMs;
    // drop the oldest batch once the rest still covers the window (or there are too many samples)
    while (ring.chunks.length > 1 && (ring.count > WAVE_MAX_SAMPLES || ring.chunks[1]!.t <= newest - WAVE_WINDOW_MS)) {
      ring.count -= ring.chunks.shift()!.samples.length;
    }
  }

  /**
   * The kept window of each waveform of a device, as one run of samples. Chunks are laid end to
   * end from the newest backwards; a gap (a lost link) shows as its own start time `t0`.
   */
  window(device: string): Record<string, WaveWindow> {
    const out: Record<string, WaveWindow> = {};
    for (const [metric, ring] of this.devices.get(device) ?? []) {
      // the contiguous tail: chunks that follow each other without a gap of more than one batch
      let start = ring.chunks.length - 1;
      while (start > 0) {
        const prev = ring.chunks[start - 1]!;
        const gap = ring.chunks[start]!.t - (prev.t + prev.samples.length * ring.periodMs);
        if (Math.abs(gap) > Math.max(1_000, ring.periodMs * 2)) break;
        start--;
      }
      const chunks = ring.chunks.slice(start);
      const last = chunks.at(-1);
      if (!last) continue;
      const samples = chunks.flatMap((c) => c.samples).slice(-WAVE_MAX_SAMPLES);
      const end = last.t + last.samples.length * ring.periodMs;
      out[metric] = { unit: ring.unit, periodMs: ring.periodMs, t0: end - samples.length * ring.periodMs, samples };
    }
    return out;
  }

  /** Forget a device (unpaired, or its driver stopped). */
  forget(device: string): void {
    this.devices.delete(device);
  }
}
