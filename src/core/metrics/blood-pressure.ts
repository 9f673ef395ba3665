import { LANE_CLINICAL } from '../reading.js';
import type { MetricBase } from './types.js';

// Codes (MDC, LOINC, NPU) and their sources: ./terminology.ts.
// Spot measurements taken by the patient, typically once or twice a day: intervalS one day.
const DAY_S = 86_400;

export const bloodPressureMetrics: MetricBase[] = [
  {
    name: 'bp_systolic', label: 'Systolic', kind: 'bp',
    unit: 'mm[Hg]',
    // Oscillometric cuffs measure about 20-300 mmHg (BPS cuffs report in this band).
    min: 20, max: 300, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
  {
    name: 'bp_diastolic', label: 'Diastolic', kind: 'bp',
    unit: 'mm[Hg]',
    min: 10, max: 250, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
  {
    name: 'bp_mean', label: 'Mean BP', kind: 'bp',
    unit: 'mm[Hg]',
    min: 15, max: 270, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
  {
    name: 'bp_pulse_rate', label: 'Pulse (cuff)', kind: 'bp',
    unit: '/min',
    min: 20, max: 300, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
];
