import type { AlarmInstance } from './condition.js';
import type { AlarmsConfig } from './config-schema.js';
import { parseState, restoreInstance } from './persistence.js';
import type { StaleWatch } from './stale-watch.js';
import { resizeThresholdState } from './threshold-rule.js';

/**
 * The engine's state across a restart and across a change of rules.
 */

/** Restores alarms and reading sources. Returns the number of alarms, or an error message. */
export function restoreState(text: string, mono: number, alarms: Map<string, AlarmInstance>, watch: StaleWatch, rules: AlarmsConfig): number | string {
  const saved = parseState(text);
  if ('error' in saved) return saved.error;
  for (const s of saved.alarms) alarms.set(s.key, restoreInstance(s, mono));
  for (const s of saved.sources) {
    // Known sources start their stale timer at the restart: a device that died meanwhile goes stale.
    const src = watch.get(s.device, s.metric, mono);
    src.stale = s.stale;
    const rule = rules.rules[s.metric];
    watch.ensureLevels(src, rule?.low?.levels.length, rule?.high?.levels.length);
    if (src.low) src.low.asserted = Math.min(s.low, src.low.crossedSince.length - 1);
    if (src.high) src.high.asserted = Math.min(s.high, src.high.crossedSince.length - 1);
  }
  return saved.alarms.length;
}

/**
 * Adapts the sources to a new rule set and returns the physiological alarms whose rule is gone
 * (the caller clears them). Alarms whose rule stays keep their instance and are re-evaluated on
 * the next reading against the new limits.
 */
export function dropRemovedRules(alarms: Iterable<AlarmInstance>, watch: StaleWatch, rules: AlarmsConfig): AlarmInstance[] {
  const gone: AlarmInstance[] = [];
  for (const a of alarms) {
    if (a.source === undefined || a.metric === null) continue;
    const rule = rules.rules[a.metric];
    const part = a.condition.slice(a.metric.length + 1);
    const has = rule?.enabled && (part === 'low' || part === 'high' ? rule[part] : part === 'falling' || part === 'rising' ? rule.rate?.[part] : undefined);
    if (!has) gone.push(a);
  }
  for (const s of watch.all()) {
    const rule = rules.rules[s.metric];
    if (!rule?.enabled) { s.low = s.high = undefined; continue; }
    watch.ensureLevels(s, rule.low?.levels.length, rule.high?.levels.length);
    if (s.low && rule.low) resizeThresholdState(s.low, rule.low.levels.length);
    if (s.high && rule.high) resizeThresholdState(s.high, rule.high.levels.length);
  }
  return gone;
}
