import type { AlarmsConfig } from '../alarms/config-schema.js';

/** The alarm limits of one metric in force (every level, mild to severe), for a chart to draw. */
export function metricLimits(rules: AlarmsConfig, metric: string): { low: number[]; high: number[] } {
  const r = rules.rules[metric];
  if (!r || r.enabled === false) return { low: [], high: [] };
  return { low: (r.low?.levels ?? []).map((l) => l.limit), high: (r.high?.levels ?? []).map((l) => l.limit) };
}
