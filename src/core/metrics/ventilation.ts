import type { MetricSpec } from './types.js';

// Filled by the ventilator driver issue (MEDIBUS): pressures, volumes, rates, leak, FiO2,
// settings and waveforms, each with its IEEE 11073-10101 code and reference.
export const ventilationMetrics: MetricSpec[] = [];
