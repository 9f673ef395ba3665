import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ErrorCode, HubError } from '../core/errors.js';
import { metricSpec, type MetricSpec } from '../core/metrics/index.js';
import { packageRoot } from '../core/package-root.js';
import { SEVERITY } from './condition.js';
import { floorSchema, formatIssues, type AlarmFloor, type AlarmsConfig, type BoundRule } from './config-schema.js';

/**
 * The local safety floor (`alarms.floor`): the weakest rule set a REMOTE command may put in
 * force. The shipped floor is config/alarms.floor.yaml; a config section merges over it (a metric
 * named replaces the shipped entry as a whole, technical priorities merge per code, section-wide
 * limits from the config when given). The checks below return every reason, never just the first.
 */

export function shippedFloorPath(): string {
  const p = join(packageRoot(), 'config', 'alarms.floor.yaml');
  if (!existsSync(p)) throw new HubError(ErrorCode.AlarmConfigInvalid, `shipped alarm floor not found at ${p}`);
  return p;
}

let cached: AlarmFloor | undefined;

/** The shipped floor, validated. Throws a clear error when the shipped file is invalid. */
export function loadShippedFloor(): AlarmFloor {
  if (!cached) {
    const path = shippedFloorPath();
    let raw: unknown;
    try {
      raw = parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new HubError(ErrorCode.AlarmConfigInvalid, `shipped alarm floor ${path} is not valid YAML: ${(err as Error).message}`);
    }
    const res = floorSchema.safeParse(raw ?? {});
    if (!res.success) throw new HubError(ErrorCode.AlarmConfigInvalid, `shipped alarm floor ${path} is invalid: ${formatIssues(res.error)}`);
    cached = res.data;
  }
  return structuredClone(cached);
}

/** The floor in force: the config's `alarms.floor` merged over the shipped one. */
export function resolveFloor(section?: AlarmFloor, shipped: AlarmFloor = loadShippedFloor()): AlarmFloor {
  if (!section) return shipped;
  const out: AlarmFloor = {
    metrics: { ...shipped.metrics, ...structuredClone(section.metrics) },
    technical: { ...shipped.technical, ...section.technical },
  };
  for (const k of ['maxAckTimeoutS', 'maxUplinkDownMinutes', 'maxStaleAfterIntervals'] as const) {
    const v = section[k] ?? shipped[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

type SpecOf = (metric: string) => Pick<MetricSpec, 'min' | 'max' | 'unit'> | undefined;

const n = (v: number): string => (Math.abs(v) >= 1e12 ? String(v) : String(Math.round(v * 1000) / 1000));

/** Every way `set` is weaker than `floor`, as `alarms.<path>: reason` lines; empty when it respects it. */
export function floorViolations(set: AlarmsConfig, floor: AlarmFloor, spec: SpecOf = metricSpec): string[] {
  const out: string[] = [];
  for (const [metric, f] of Object.entries(floor.metrics)) {
    const rule = set.rules[metric];
    const at = `alarms.rules.${metric}`;
    const unit = spec(metric)?.unit ?? '';
    if (!rule || !rule.enabled) {
      if (f.required) out.push(`${at}: the safety floor requires this rule; it may not be ${rule ? 'disabled' : 'removed'}`);
      continue;
    }
    for (const dir of ['low', 'high'] as const) {
      const want = f[dir];
      const bound = rule[dir];
      if (want) {
        if (!bound) out.push(`${at}.${dir}: the safety floor requires a ${dir} alarm (a level ${dir === 'low' ? 'at or above' : 'at or below'} ${n(want.limit)} ${unit}, ${want.priority} priority or higher, delay at most ${n(want.maxDelayS)} s)`);
        else if (!meetsPoint(dir, bound, want)) out.push(`${at}.${dir}.levels: the safety floor requires a level ${dir === 'low' ? 'at or above' : 'at or below'} ${n(want.limit)} ${unit} with ${want.priority} priority or higher and a delay of at most ${n(want.maxDelayS)} s`);
      }
      if (bound && f.maxHysteresis !== undefined && bound.hysteresis > f.maxHysteresis) {
        out.push(`${at}.${dir}.hysteresis: ${n(bound.hysteresis)} is above the safety floor's ${n(f.maxHysteresis)} ${unit}`);
      }
    }
    if (f.falling) {
      const d = rule.rate?.falling;
      const w = f.falling;
      if (!d) out.push(`${at}.rate.falling: the safety floor requires a falling-rate alarm (at ${n(w.perMin)} ${unit}/min or less steep, ${w.priority} priority or higher)`);
      else {
        if (d.perMin < w.perMin) out.push(`${at}.rate.falling.perMin: ${n(d.perMin)} is steeper than the safety floor's ${n(w.perMin)} ${unit}/min`);
        if (SEVERITY[d.priority] < SEVERITY[w.priority]) out.push(`${at}.rate.falling.priority: ${d.priority} is below the safety floor's ${w.priority}`);
        if ((rule.rate?.windowS ?? 0) > w.maxWindowS) out.push(`${at}.rate.windowS: ${n(rule.rate?.windowS ?? 0)} s is above the safety floor's ${n(w.maxWindowS)} s`);
      }
    }
    const stale = rule.staleAfterIntervals ?? set.staleAfterIntervals;
    if (f.maxStaleAfterIntervals !== undefined && stale > f.maxStaleAfterIntervals) {
      out.push(`${at}.staleAfterIntervals: ${n(stale)} intervals is above the safety floor's ${n(f.maxStaleAfterIntervals)}`);
    }
  }
  for (const [code, p] of Object.entries(set.technical)) {
    const min = floor.technical[code];
    if (min !== undefined && SEVERITY[p] < SEVERITY[min]) out.push(`alarms.technical.${code}: ${p} is below the safety floor's ${min}`);
  }
  if (floor.maxAckTimeoutS !== undefined && set.ackTimeoutS > floor.maxAckTimeoutS) out.push(`alarms.ackTimeoutS: ${n(set.ackTimeoutS)} s is above the safety floor's ${n(floor.maxAckTimeoutS)} s`);
  if (floor.maxUplinkDownMinutes !== undefined && set.uplinkDownMinutes > floor.maxUplinkDownMinutes) out.push(`alarms.uplinkDownMinutes: ${n(set.uplinkDownMinutes)} is above the safety floor's ${n(floor.maxUplinkDownMinutes)}`);
  if (floor.maxStaleAfterIntervals !== undefined && set.staleAfterIntervals > floor.maxStaleAfterIntervals) out.push(`alarms.staleAfterIntervals: ${n(set.staleAfterIntervals)} is above the safety floor's ${n(floor.maxStaleAfterIntervals)}`);
  return out;
}

/** A level beyond the floor's limit (low: at or above it) with at least its priority and at most its delay. */
function meetsPoint(dir: 'low' | 'high', bound: BoundRule, want: { limit: number; priority: keyof typeof SEVERITY; maxDelayS: number }): boolean {
  return bound.levels.some((l) => (dir === 'low' ? l.limit >= want.limit : l.limit <= want.limit) && SEVERITY[l.priority] >= SEVERITY[want.priority] && l.delayS <= want.maxDelayS);
}

/**
 * Every number of a rule set outside what its metric can take: rules only for metrics of the
 * catalogue, limits inside the plausible range, hysteresis and rates no larger than the range.
 */
export function plausibilityViolations(set: AlarmsConfig, spec: SpecOf = metricSpec): string[] {
  const out: string[] = [];
  for (const [metric, rule] of Object.entries(set.rules)) {
    const at = `alarms.rules.${metric}`;
    const s = spec(metric);
    if (!s) { out.push(`${at}: not a metric of the catalogue`); continue; }
    const span = s.max - s.min;
    for (const dir of ['low', 'high'] as const) {
      const bound = rule[dir];
      if (!bound) continue;
      bound.levels.forEach((l, i) => {
        if (l.limit < s.min || l.limit > s.max) out.push(`${at}.${dir}.levels[${i}].limit: ${l.limit} is outside the plausible range ${s.min}..${s.max} ${s.unit}`);
      });
      if (bound.hysteresis > span) out.push(`${at}.${dir}.hysteresis: ${bound.hysteresis} is larger than the plausible range (${n(span)} ${s.unit})`);
    }
    for (const dir of ['falling', 'rising'] as const) {
      const d = rule.rate?.[dir];
      if (d && Math.abs(d.perMin) > span) out.push(`${at}.rate.${dir}.perMin: ${d.perMin} is larger than the plausible range per minute (${n(span)} ${s.unit}/min)`);
    }
  }
  return out;
}
