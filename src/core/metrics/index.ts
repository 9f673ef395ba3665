import { bloodGlucoseMetrics } from './blood-glucose.js';
import { bloodPressureMetrics } from './blood-pressure.js';
import { bodyMetrics } from './body.js';
import { glucoseMetrics } from './glucose.js';
import { oximetryMetrics } from './oximetry.js';
import { termsOf } from './terminology.js';
import type { MetricSpec } from './types.js';
import { ventilationMetrics } from './ventilation.js';

export type { Coded, MetricBase, MetricSpec, MetricTerms } from './types.js';
export { TERMINOLOGY } from './terminology.js';

/** The metric catalogue: one entry per metric the hub can report, with its codes (terminology.ts). */
export const METRICS: ReadonlyMap<string, MetricSpec> = new Map(
  [...oximetryMetrics, ...glucoseMetrics, ...ventilationMetrics, ...bloodPressureMetrics, ...bodyMetrics, ...bloodGlucoseMetrics].map((m) => [m.name, { ...m, ...termsOf(m.name) }]),
);

export function metricSpec(name: string): MetricSpec | undefined {
  return METRICS.get(name);
}
