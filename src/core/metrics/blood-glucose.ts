import { LANE_CLINICAL } from '../reading.js';
import type { MetricBase } from './types.js';

// Codes (MDC, LOINC, NPU) and their sources: ./terminology.ts.
// Finger-stick tests: several a day for insulin-treated patients, none for days for others.
// intervalS is one day (stale-data rules are left off for meters: no data is not a fault).
const DAY_S = 86_400;

export const bloodGlucoseMetrics: MetricBase[] = [
  {
    // Most meters report a plasma-equivalent value (Glucose Measurement type 2, capillary plasma).
    name: 'capillary_glucose', label: 'Blood glucose', kind: 'glucometer',
    unit: 'mmol/L',
    // Meters read about 0.6-33.3 mmol/L (10-600 mg/dL); values outside are flagged by the meter.
    min: 0.5, max: 40, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
  {
    // A meter that reports capillary whole blood (type 1).
    name: 'capillary_glucose_wb', label: 'Blood glucose (whole blood)', kind: 'glucometer',
    unit: 'mmol/L',
    min: 0.5, max: 40, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
];
