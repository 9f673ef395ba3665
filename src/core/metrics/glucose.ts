import { LANE_CLINICAL } from '../reading.js';
import type { MetricBase } from './types.js';

/** 1 mmol/L glucose = 18.0156 mg/dL (contract §3). */
export const MG_DL_PER_MMOL_L = 18.0156;

// Codes (MDC, LOINC, NPU) and their sources: ./terminology.ts.
export const glucoseMetrics: MetricBase[] = [
  {
    name: 'glucose', label: 'Glucose', kind: 'cgm',
    unit: 'mmol/L',
    // CGM sensors report 40-400 mg/dL (2.2-22.2 mmol/L); the band leaves room for other sensors.
    min: 0.5, max: 40, intervalS: 300, lane: LANE_CLINICAL,
  },
  {
    name: 'glucose_trend', label: 'Trend', kind: 'cgm',
    unit: 'mmol/L/min',
    min: -5, max: 5, intervalS: 300, lane: LANE_CLINICAL,
  },
];
