import { LANE_CLINICAL } from '../reading.js';
import type { MetricSpec } from './types.js';

/** 1 mmol/L glucose = 18.0156 mg/dL (contract §3). */
export const MG_DL_PER_MMOL_L = 18.0156;

// 160212 = MDC_CONC_GLU_ISF, fixed by the carehub contract (§3) and used by the HL7 PHD IG
// CGM profile. No 10101 code for the CGM trend was found; it is sent with mdc null.
export const glucoseMetrics: MetricSpec[] = [
  {
    name: 'glucose', label: 'Glucose', kind: 'cgm', mdc: 160212,
    mdcRef: 'MDC_CONC_GLU_ISF (IEEE 11073-10101; HL7 PHD IG)', unit: 'mmol/L',
    // CGM sensors report 40-400 mg/dL (2.2-22.2 mmol/L); the band leaves room for other sensors.
    min: 0.5, max: 40, intervalS: 300, lane: LANE_CLINICAL,
  },
  {
    name: 'glucose_trend', label: 'Trend', kind: 'cgm', mdc: null,
    mdcRef: 'none found in IEEE 11073-10101; sent with mdc null', unit: 'mmol/L/min',
    min: -5, max: 5, intervalS: 300, lane: LANE_CLINICAL,
  },
];
