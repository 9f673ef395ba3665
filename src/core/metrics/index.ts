import { glucoseMetrics } from './glucose.js';
import { oximetryMetrics } from './oximetry.js';
import type { MetricSpec } from './types.js';
import { ventilationMetrics } from './ventilation.js';

export type { MetricSpec } from './types.js';

/** The metric catalogue: one entry per metric the hub can report. */
export const METRICS: ReadonlyMap<string, MetricSpec> = new Map(
  [...oximetryMetrics, ...glucoseMetrics, ...ventilationMetrics].map((m) => [m.name, m]),
);

export function metricSpec(name: string): MetricSpec | undefined {
  return METRICS.get(name);
}
