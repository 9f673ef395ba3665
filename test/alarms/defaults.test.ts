import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alarmsSchema } from '../../src/alarms/config-schema.js';
import { defaultAlarmsPath, loadDefaultAlarms, parseAlarmsYaml, resolveAlarms } from '../../src/alarms/defaults.js';
import { METRICS } from '../../src/core/metrics/index.js';

describe('shipped default alarm rules', () => {
  it('validate against the schema and cover SpO2, pulse and glucose', () => {
    const d = loadDefaultAlarms();
    expect(Object.keys(d.rules).sort()).toEqual(['bp_diastolic', 'bp_systolic', 'capillary_glucose', 'capillary_glucose_wb', 'glucose', 'paw_peak', 'pulse_rate', 'resp_rate', 'spo2']);
    expect(d.rules.spo2?.low?.levels.map((l) => [l.limit, l.priority])).toEqual([[88, 'medium'], [85, 'high']]);
    expect(d.rules.glucose?.low?.levels.map((l) => [l.limit, l.priority])).toEqual([[3.9, 'medium'], [3.0, 'high']]);
    expect(d.rules.glucose?.high?.levels[0]?.limit).toBe(13.9);
    expect(d.rules.glucose?.rate?.falling?.perMin).toBe(-0.17);
    expect(d.audioPauseS).toBeLessThanOrEqual(120);
  });

  it('cite a clinical source for every limit', () => {
    const d = loadDefaultAlarms();
    let n = 0;
    for (const [metric, rule] of Object.entries(d.rules)) {
      for (const b of [rule.low, rule.high]) for (const l of b?.levels ?? []) { expect(l.source, `${metric} ${l.limit}`).toMatch(/\w{3,}.*(19|20)\d\d/); n++; }
      for (const r of [rule.rate?.falling, rule.rate?.rising]) if (r) { expect(r.source, `${metric} rate`).toMatch(/(19|20)\d\d/); n++; }
    }
    expect(n).toBeGreaterThanOrEqual(8);
  });

  it('watch ventilator data for staleness: 10 s without Ppeak or RR, no ventilator thresholds', () => {
    const d = loadDefaultAlarms();
    for (const m of ['paw_peak', 'resp_rate']) {
      const rule = d.rules[m];
      expect(rule, m).toBeDefined();
      expect((rule!.staleAfterIntervals ?? d.staleAfterIntervals) * METRICS.get(m)!.intervalS).toBe(10);
      expect(rule!.enabled).toBe(true);
      expect([rule!.low, rule!.high, rule!.rate]).toEqual([undefined, undefined, undefined]);
      expect(METRICS.get(m)!.kind).toBe('ventilator');
    }
  });

  it('only name metrics of the catalogue', () => {
    for (const m of Object.keys(loadDefaultAlarms().rules)) expect(METRICS.has(m), m).toBe(true);
  });

  it('are the exact file content (no defaults injected beyond the schema)', () => {
    const raw = parse(readFileSync(defaultAlarmsPath(), 'utf8'));
    expect(alarmsSchema.parse(raw)).toEqual(loadDefaultAlarms());
  });

  it('an invalid file gives a clear error with paths', () => {
    expect(() => parseAlarmsYaml('rules:\n  spo2:\n    low:\n      levels: [{ limit: x, priority: medium }]\n', 'test file')).toThrow(/test file is invalid: rules\.spo2\.low\.levels\[0\]\.limit/);
    expect(() => parseAlarmsYaml('rules: [', 'test file')).toThrow(/not valid YAML/);
  });
});

describe('resolveAlarms', () => {
  it('no section: the defaults', () => {
    expect(resolveAlarms(undefined)).toEqual(loadDefaultAlarms());
  });

  it('merge: a named metric replaces its default rule as a whole, others stay', () => {
    const section = alarmsSchema.parse({ rules: { spo2: { low: { levels: [{ limit: 90, priority: 'high' }] } }, pulse_rate: { enabled: false } }, technical: { uplink_down: 'medium' }, ackTimeoutS: 120 });
    const r = resolveAlarms(section);
    expect(r.rules.spo2?.low?.levels).toHaveLength(1);
    expect(r.rules.spo2?.staleAfterIntervals).toBeUndefined();
    expect(r.rules.pulse_rate?.enabled).toBe(false);
    expect(r.rules.glucose).toEqual(loadDefaultAlarms().rules.glucose);
    expect(r.technical.uplink_down).toBe('medium');
    expect(r.ackTimeoutS).toBe(120);
  });

  it('replace: the section alone', () => {
    const r = resolveAlarms(alarmsSchema.parse({ mode: 'replace', rules: { glucose: { low: { levels: [{ limit: 4, priority: 'medium' }] } } } }));
    expect(Object.keys(r.rules)).toEqual(['glucose']);
  });

  it('the config schema rejects unknown keys and unordered levels', () => {
    expect(alarmsSchema.safeParse({ rules: { spo2: { lo: {} } } }).success).toBe(false);
    expect(alarmsSchema.safeParse({ rules: { spo2: { high: { levels: [{ limit: 100, priority: 'high' }, { limit: 95, priority: 'high' }] } } } }).success).toBe(false);
    expect(alarmsSchema.safeParse({ rules: { spo2: { low: { levels: [{ limit: 90, priority: 'high' }, { limit: 85, priority: 'low' }] } } } }).success).toBe(false);
    expect(alarmsSchema.safeParse({ rules: { glucose: { rate: { falling: { perMin: 0.2, priority: 'low' } } } } }).success).toBe(false);
  });
});
