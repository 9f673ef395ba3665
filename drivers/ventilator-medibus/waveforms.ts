import type { Measurement } from '../../src/core/reading.js';
import { REALTIME } from './mapping.js';
import type { RealtimeStreamConfig } from './records.js';
import { scaleRaw } from './realtime.js';

export interface WaveStream { stream: number; metric: string; cfg: RealtimeStreamConfig; multiplier: number }

/**
 * Chooses the realtime streams to configure: the waveform channels the hub knows, at a
 * multiplier that brings the device rate down to about `hz`.
 */
export function chooseStreams(available: RealtimeStreamConfig[], hz: number): WaveStream[] {
  const out: WaveStream[] = [];
  for (const cfg of available) {
    const metric = REALTIME.get(cfg.code);
    if (!metric) continue;
    const deviceHz = 1e6 / cfg.intervalUs;
    const multiplier = Math.max(1, Math.min(255, Math.round(deviceHz / hz)));
    out.push({ stream: out.length + 1, metric, cfg, multiplier });
  }
  return out;
}

/** Argument of command 0x54: per stream 2 hex code + 2 hex multiplier. */
export function configureArgs(streams: WaveStream[]): string {
  const h = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
  return streams.map((s) => h(s.cfg.code) + h(s.multiplier)).join('');
}

/**
 * Collects realtime samples per stream and hands out one Measurement per stream and
 * `batchMs` (samples[], periodMs, value = mean) for the high-rate lane.
 */
export class WaveformBatcher {
  private readonly bufs = new Map<number, { s: WaveStream; periodMs: number; samples: number[]; t: number }>();

  constructor(streams: WaveStream[], private readonly batchMs: number, private readonly emit: (m: Measurement) => void) {
    for (const s of streams) {
      this.bufs.set(s.stream, { s, periodMs: (s.cfg.intervalUs / 1000) * s.multiplier, samples: [], t: 0 });
    }
  }

  sample(stream: number, raw: number, now: number): void {
    const b = this.bufs.get(stream);
    if (!b) return;
    if (b.samples.length === 0) b.t = now;
    b.samples.push(Math.round(scaleRaw(raw, b.s.cfg) * 100) / 100);
    if (b.samples.length * b.periodMs >= this.batchMs) this.flush(b);
  }

  /** Drops partial batches (link lost: their timing is no longer trustworthy). */
  clear(): void { for (const b of this.bufs.values()) b.samples = []; }

  private flush(b: { s: WaveStream; periodMs: number; samples: number[]; t: number }): void {
    const samples = b.samples;
    b.samples = [];
    let sum = 0;
    for (const v of samples) sum += v;
    this.emit({ metric: b.s.metric, value: Math.round((sum / samples.length) * 100) / 100, t: b.t, samples, periodMs: b.periodMs });
  }
}
