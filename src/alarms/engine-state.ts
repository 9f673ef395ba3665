import type { AlarmInstance } from './condition.js';
import type { AlarmsConfig, MetricRule } from './config-schema.js';
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
 * Adapts the sources to a rule set (after a change, or after a carried-over part was dropped).
 * No alarm is cleared here: an alarm whose rule part is gone keeps that part (carryOver) until it
 * ends by the normal clearing path.
 */
export function adaptSources(watch: StaleWatch, rules: AlarmsConfig): void {
  for (const s of watch.all()) {
    const rule = rules.rules[s.metric];
    if (!rule?.enabled) { s.low = s.high = undefined; continue; }
    watch.ensureLevels(s, rule.low?.levels.length, rule.high?.levels.length);
    if (s.low && rule.low) resizeThresholdState(s.low, rule.low.levels.length);
    if (s.high && rule.high) resizeThresholdState(s.high, rule.high.levels.length);
  }
}

type Part = 'low' | 'high' | 'falling' | 'rising';

function partOf(a: AlarmInstance): Part | undefined {
  if (a.metric === null || a.source === undefined) return undefined;
  const p = a.condition.slice(a.metric.length + 1);
  return p === 'low' || p === 'high' || p === 'falling' || p === 'rising' ? p : undefined;
}

function hasPart(rule: MetricRule | undefined, part: Part): boolean {
  if (!rule?.enabled) return false;
  return part === 'low' || part === 'high' ? rule[part] !== undefined : rule.rate?.[part] !== undefined;
}

/**
 * The rule set to evaluate with: `target` (the set in force), plus, for every PRESENT
 * physiological alarm whose rule part `target` removed or disabled, that part as it was in `prev`
 * (with the old stale limit). Such an alarm thus ends the normal way (a fresh value back inside
 * its limit), never by a rule change. Returns `target` itself when nothing is carried over.
 */
export function carryOver(prev: AlarmsConfig, target: AlarmsConfig, alarms: Iterable<AlarmInstance>): AlarmsConfig {
  let out: AlarmsConfig | undefined;
  for (const a of alarms) {
    const part = partOf(a);
    if (!part || !a.present || a.metric === null) continue;
    const metric = a.metric;
    if (hasPart(target.rules[metric], part)) continue;
    const old = prev.rules[metric];
    if (!old || !hasPart(old, part)) continue;
    out ??= { ...target, rules: { ...target.rules } };
    const cur = out.rules[metric];
    const base: MetricRule = cur?.enabled ? { ...cur } : { enabled: true, ...(old.staleAfterIntervals !== undefined ? { staleAfterIntervals: old.staleAfterIntervals } : {}) };
    if (part === 'low' || part === 'high') base[part] = old[part];
    else if (old.rate) base.rate = { ...(base.rate ?? { windowS: old.rate.windowS }), [part]: old.rate[part] };
    out.rules[metric] = base;
  }
  return out ?? target;
}
