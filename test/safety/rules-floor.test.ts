import { describe, expect, it } from 'vitest';
import { alarmsSchema } from '../../src/alarms/config-schema.js';
import { loadDefaultAlarms, resolveAlarms } from '../../src/alarms/defaults.js';
import { floorViolations, loadShippedFloor, plausibilityViolations, resolveFloor } from '../../src/alarms/floor.js';
import { SEVERITY } from '../../src/alarms/condition.js';
import { TECHNICAL_PRIORITIES } from '../../src/alarms/technical-catalogue.js';
import { metricSpec } from '../../src/core/metrics/index.js';

describe('the shipped safety floor (config/alarms.floor.yaml)', () => {
  const floor = loadShippedFloor();

  it('covers every alarm the shipped rules raise, each with a cited source', () => {
    const defaults = loadDefaultAlarms();
    for (const [metric, rule] of Object.entries(defaults.rules)) {
      const f = floor.metrics[metric];
      expect(f, metric).toBeDefined();
      expect(f?.required, metric).toBe(true);
      if (rule.low) expect(f?.low?.source, `${metric} low`).toMatch(/\w{3,}.*(19|20)\d\d/);
      if (rule.high) expect(f?.high?.source, `${metric} high`).toMatch(/\w{3,}.*(19|20)\d\d/);
      if (rule.rate?.falling) expect(f?.falling?.source, `${metric} falling`).toMatch(/(19|20)\d\d/);
      expect(f?.maxStaleAfterIntervals, metric).toBeDefined();
      if (rule.low || rule.high) expect(f?.maxHysteresis, metric).toBeDefined();
      expect(f?.source, metric).toBeTruthy();
    }
  });

  it('has a floor for every technical code of the catalogue, never above its catalogue priority', () => {
    for (const [code, p] of Object.entries(TECHNICAL_PRIORITIES)) {
      const min = floor.technical[code];
      expect(min, code).toBeDefined();
      expect(SEVERITY[min!], code).toBeLessThanOrEqual(SEVERITY[p]);
    }
    for (const code of ['link_lost', 'stale_data', 'serial_port_gone', 'ble_adapter_unavailable', 'ble_adapter_stuck', 'storage_full', 'storage_error', 'storage_replaced', 'storage_corrupt_recovered']) {
      expect(floor.technical[code], code).toBe('medium');
    }
  });

  it('lies inside the metric catalogue and the shipped defaults respect it', () => {
    for (const [metric, f] of Object.entries(floor.metrics)) {
      const s = metricSpec(metric)!;
      for (const p of [f.low, f.high]) if (p) expect(p.limit >= s.min && p.limit <= s.max, metric).toBe(true);
    }
    expect(floorViolations(loadDefaultAlarms(), floor)).toEqual([]);
    expect(plausibilityViolations(loadDefaultAlarms())).toEqual([]);
  });
});

describe('floor checks', () => {
  const floor = loadShippedFloor();
  const remote = (section: unknown) => resolveAlarms(alarmsSchema.parse(section));

  it('allow tightening and adjusting within the floor', () => {
    expect(floorViolations(remote({ rules: { spo2: { low: { levels: [{ limit: 92, priority: 'high', delayS: 0 }] } } } }), floor)).toEqual([]);
    expect(floorViolations(remote({ rules: { spo2: { low: { levels: [{ limit: 86, priority: 'medium', delayS: 30 }, { limit: 85, priority: 'high', delayS: 30 }], hysteresis: 3 }, staleAfterIntervals: 60 } } }), floor)).toEqual([]);
    expect(floorViolations(remote({ technical: { uplink_down: 'high', link_lost: 'medium' }, ackTimeoutS: 900 }), floor)).toEqual([]);
  });

  it('list every crossing, not just the first', () => {
    const v = floorViolations(remote({
      rules: { spo2: { low: { levels: [{ limit: 84, priority: 'high', delayS: 10 }], hysteresis: 4 }, staleAfterIntervals: 61 }, pulse_rate: { enabled: false } },
      technical: { stale_data: 'low' }, ackTimeoutS: 3600, uplinkDownMinutes: 1440, staleAfterIntervals: 11,
    }), floor);
    expect(v).toEqual([
      expect.stringMatching(/^alarms\.rules\.spo2\.low\.levels: .*at or above 85 %/),
      'alarms.rules.spo2.low.hysteresis: 4 is above the safety floor\'s 3 %',
      'alarms.rules.spo2.staleAfterIntervals: 61 intervals is above the safety floor\'s 60',
      'alarms.rules.pulse_rate: the safety floor requires this rule; it may not be disabled',
      'alarms.technical.stale_data: low is below the safety floor\'s medium',
      'alarms.ackTimeoutS: 3600 s is above the safety floor\'s 900 s',
      'alarms.uplinkDownMinutes: 1440 is above the safety floor\'s 120',
      'alarms.staleAfterIntervals: 11 is above the safety floor\'s 10',
    ]);
  });

  it('a longer delay or a lower priority at the floor limit crosses it; a falling-rate alarm may not be dropped', () => {
    expect(floorViolations(remote({ rules: { spo2: { low: { levels: [{ limit: 88, priority: 'high', delayS: 31 }] } } } }), floor)).toHaveLength(1);
    expect(floorViolations(remote({ rules: { glucose: { low: { levels: [{ limit: 3.9, priority: 'medium' }] }, high: { levels: [{ limit: 13.9, priority: 'low' }] } } } }), floor)).toEqual([
      expect.stringMatching(/glucose\.low\.levels: .*3 mmol\/L with high priority/),
      expect.stringMatching(/glucose\.rate\.falling: the safety floor requires a falling-rate alarm/),
    ]);
  });

  it('a config floor merges over the shipped one per metric (the technician may loosen it for one patient)', () => {
    const f = resolveFloor(alarmsSchema.parse({ floor: { metrics: { spo2: { required: true, low: { limit: 80, priority: 'high', maxDelayS: 30 } } }, technical: { uplink_down: 'medium' } } }).floor);
    expect(f.metrics.spo2?.low?.limit).toBe(80);
    expect(f.metrics.glucose).toEqual(floor.metrics.glucose);
    expect(f.technical.uplink_down).toBe('medium');
    expect(f.technical.link_lost).toBe('medium');
  });

  it('plausibility: metrics of the catalogue only, limits in range, no astronomic hysteresis or rates', () => {
    expect(plausibilityViolations(remote({ rules: { bogus_metric: { high: { levels: [{ limit: 1, priority: 'low' }] } }, glucose: { rate: { windowS: 900, falling: { perMin: -1e300, priority: 'low' } } } } })).sort()).toEqual([
      'alarms.rules.bogus_metric: not a metric of the catalogue',
      'alarms.rules.glucose.rate.falling.perMin: -1e+300 is larger than the plausible range per minute (39.5 mmol/L/min)',
    ]);
  });
});
