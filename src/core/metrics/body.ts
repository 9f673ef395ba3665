import { LANE_CLINICAL } from '../reading.js';
import type { MetricBase } from './types.js';

// Codes (MDC, LOINC, NPU) and their sources: ./terminology.ts.
// A heart-failure patient weighs once a day (ESC 2021 heart-failure guideline, self-care).
const DAY_S = 86_400;

export const bodyMetrics: MetricBase[] = [
  {
    name: 'body_weight', label: 'Weight', kind: 'scale',
    unit: 'kg',
    // Bathroom scales weigh up to about 180-300 kg; the WSS field ends at 327.675 kg.
    min: 2, max: 330, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
  {
    name: 'bmi', label: 'BMI', kind: 'scale',
    unit: 'kg/m2',
    min: 5, max: 150, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
  {
    name: 'body_height', label: 'Height', kind: 'scale',
    unit: 'm',
    min: 0.3, max: 2.6, intervalS: DAY_S, lane: LANE_CLINICAL,
  },
];
