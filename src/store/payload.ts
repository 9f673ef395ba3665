import { readingToJson, type Reading } from '../core/reading.js';

/**
 * The stored payload of a reading: byte for byte `JSON.stringify(readingToJson(r))`, built
 * without the intermediate object on the ingest hot path. Strings that repeat across readings
 * (device, kind, metric, unit, clock) are quoted once and remembered; consecutive readings of
 * one notification share their timestamps, so the last ISO strings are remembered too. Anything
 * unusual (a field of an unexpected type) takes the reference path, so the output never differs.
 * test/store/payload.test.ts checks the equality on ordinary and odd readings.
 */
export class PayloadWriter {
  private quoted = new Map<string, string>();
  private lastT = Number.NaN;
  private lastTIso = '';
  private lastRx = Number.NaN;
  private lastRxIso = '';

  /** `safeId`: the caller knows `r.id` needs no JSON escaping (a canonical id). */
  write(r: Reading, safeId: boolean): string {
    const { device, kind, metric, unit, clock, mdc, value, t, rx, flags, samples, periodMs } = r;
    if (typeof device !== 'string' || typeof kind !== 'string' || typeof metric !== 'string'
      || typeof unit !== 'string' || typeof clock !== 'string' || typeof value !== 'number'
      || typeof t !== 'number' || typeof rx !== 'number' || !Array.isArray(flags)
      || (mdc !== null && typeof mdc !== 'number') || typeof r.id !== 'string'
      || (periodMs !== undefined && typeof periodMs !== 'number')) {
      return JSON.stringify(readingToJson(r));
    }
    let s = `{"id":${safeId ? `"${r.id}"` : JSON.stringify(r.id)},"device":${this.q(device)},"kind":${this.q(kind)},"metric":${this.q(metric)},"mdc":${num(mdc)},"value":${num(value)},"unit":${this.q(unit)},"t":"${this.iso(t, true)}","rx":"${this.iso(rx, false)}","clock":${this.q(clock)},"flags":${flags.length === 0 ? '[]' : JSON.stringify(flags)}`;
    if (samples) s += `,"samples":${JSON.stringify(samples)}`;
    if (periodMs !== undefined) s += `,"period_ms":${num(periodMs)}`;
    return `${s}}`;
  }

  private q(v: string): string {
    let out = this.quoted.get(v);
    if (out === undefined) {
      if (this.quoted.size >= 4096) this.quoted = new Map();
      out = JSON.stringify(v);
      this.quoted.set(v, out);
    }
    return out;
  }

  private iso(ms: number, isT: boolean): string {
    if (isT) {
      if (ms !== this.lastT) { this.lastTIso = new Date(ms).toISOString(); this.lastT = ms; }
      return this.lastTIso;
    }
    if (ms !== this.lastRx) { this.lastRxIso = new Date(ms).toISOString(); this.lastRx = ms; }
    return this.lastRxIso;
  }
}

/** A number (or null) exactly as JSON.stringify writes it. */
function num(v: number | null): string {
  return v === null || !Number.isFinite(v) ? 'null' : String(v);
}
