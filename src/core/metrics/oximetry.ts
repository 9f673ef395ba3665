import { LANE_CLINICAL, LANE_HIGHRATE } from '../reading.js';
import type { MetricBase } from './types.js';

// Codes (MDC, LOINC, NPU) and their sources: ./terminology.ts.
export const oximetryMetrics: MetricBase[] = [
  {
    name: 'spo2', label: 'SpO2', kind: 'oximeter',
    unit: '%',
    min: 0, max: 100, intervalS: 1, lane: LANE_CLINICAL,
  },
  {
    name: 'pulse_rate', label: 'Pulse', kind: 'oximeter',
    unit: '/min',
    min: 0, max: 350, intervalS: 1, lane: LANE_CLINICAL,
  },
  {
    name: 'perfusion_index', label: 'PI', kind: 'oximeter',
    unit: '%',
    min: 0, max: 100, intervalS: 1, lane: LANE_CLINICAL,
  },
  {
    name: 'pleth', label: 'Pleth', kind: 'oximeter',
    unit: '1',
    min: 0, max: 255, intervalS: 1, lane: LANE_HIGHRATE,
  },
];
