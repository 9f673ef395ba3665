import { describe, expect, it } from 'vitest';
import { glucoseAt, parseScenario } from '../../../drivers/cgm-cgms/sensor-model.js';
import { simBench } from '../shared/ble-bench.js';
import { cgmSensorFlows } from './sensor-flows.js';

describe('CGMS driver against the simulated sensor', () => cgmSensorFlows(simBench));

// Pure scenario arithmetic (no transport): here only.
describe('scenarios', () => {
  it('hypo-fast is below 3.9 mmol/L (70.3 mg/dL) within 3 minutes; hypo within 30', () => {
    const first = (s: string) => { for (let m = 0; m < 600; m++) if (glucoseAt(parseScenario(s), m) < 70.26) return m; return Infinity; };
    expect(first('hypo-fast')).toBeLessThanOrEqual(3);
    expect(first('hypo')).toBeLessThanOrEqual(30);
    expect(Math.max(...Array.from({ length: 240 }, (_, m) => glucoseAt(parseScenario('hyper'), m)))).toBeGreaterThan(250);
    expect(glucoseAt(parseScenario('fast-fall'), 10) - glucoseAt(parseScenario('fast-fall'), 0)).toBeLessThan(-30);
    expect(parseScenario('nonsense').name).toBe('normal');
  });
});
