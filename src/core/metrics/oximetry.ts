import { LANE_CLINICAL, LANE_HIGHRATE } from '../reading.js';
import type { MetricSpec } from './types.js';

// MDC codes: IEEE 11073-10101:2019 nomenclature, partition 2 (SCADA), as listed in the
// HL7 Personal Health Device FHIR IG (pulse oximeter profile, IEEE 11073-10404) and
// NIST RTMMS. 150456 and 149530 are fixed by the carehub contract (§3).
export const oximetryMetrics: MetricSpec[] = [
  {
    name: 'spo2', label: 'SpO2', kind: 'oximeter', mdc: 150456,
    mdcRef: 'MDC_PULS_OXIM_SAT_O2 (IEEE 11073-10101, 10404)', unit: '%',
    min: 0, max: 100, intervalS: 1, lane: LANE_CLINICAL,
  },
  {
    name: 'pulse_rate', label: 'Pulse', kind: 'oximeter', mdc: 149530,
    mdcRef: 'MDC_PULS_OXIM_PULS_RATE (IEEE 11073-10101, 10404)', unit: '/min',
    min: 0, max: 350, intervalS: 1, lane: LANE_CLINICAL,
  },
  {
    name: 'perfusion_index', label: 'PI', kind: 'oximeter', mdc: 150488,
    mdcRef: 'MDC_PULS_OXIM_PERF_REL (IEEE 11073-10101, 10404 pulse amplitude index)', unit: '%',
    min: 0, max: 100, intervalS: 1, lane: LANE_CLINICAL,
  },
  {
    name: 'pleth', label: 'Pleth', kind: 'oximeter', mdc: 150452,
    mdcRef: 'MDC_PULS_OXIM_PLETH (IEEE 11073-10101)', unit: '1',
    min: 0, max: 255, intervalS: 1, lane: LANE_HIGHRATE,
  },
];
