import type { MetricSpec } from '../core/metrics/index.js';
import type { Measurement } from '../core/reading.js';

export type PlausibilityVerdict = { ok: true } | { ok: false; reason: 'unknown_metric' | 'not_a_number' | 'implausible' | 'bad_samples'; detail: string };

/**
 * Physical plausibility per metric. An implausible value is rejected and counted: it is never
 * stored as if it were good (a SpO2 of 127 is a device's "invalid" marker, not a reading).
 */
export function checkPlausible(m: Measurement, spec: MetricSpec | undefined): PlausibilityVerdict {
  if (!spec) return { ok: false, reason: 'unknown_metric', detail: `metric ${m.metric} is not in the catalogue` };
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) return { ok: false, reason: 'not_a_number', detail: `${m.metric} is not a finite number` };
  if (m.value < spec.min || m.value > spec.max) {
    return { ok: false, reason: 'implausible', detail: `${m.metric} outside ${spec.min}..${spec.max} ${spec.unit}` };
  }
  if (m.samples) {
    for (const s of m.samples) {
      if (!Number.isFinite(s)) return { ok: false, reason: 'bad_samples', detail: `${m.metric} waveform holds a non-number` };
    }
  }
  return { ok: true };
}
