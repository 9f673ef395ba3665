import { LANE_CLINICAL, LANE_HIGHRATE } from '../reading.js';
import type { MetricBase } from './types.js';

// Ventilator metrics (MEDIBUS driver, drivers/ventilator-medibus). Codes (MDC, LOINC) and their
// sources: ./terminology.ts. Units are UCUM as MEDIBUS measures them: pressures mbar, volumes mL, flows L/min, rates /min.

const V = 'ventilator' as const;
const C = LANE_CLINICAL;

export const ventilationMetrics: MetricBase[] = [
  // measured values (polled, codepages 1 and 2)
  { name: 'paw_peak', label: 'Ppeak', kind: V, unit: 'mbar', min: -5, max: 100, intervalS: 2, lane: C },
  { name: 'paw_mean', label: 'Pmean', kind: V, unit: 'mbar', min: -5, max: 100, intervalS: 2, lane: C },
  { name: 'paw_plateau', label: 'Pplat', kind: V, unit: 'mbar', min: -5, max: 100, intervalS: 2, lane: C },
  { name: 'paw_min', label: 'Pmin', kind: V, unit: 'mbar', min: -30, max: 100, intervalS: 2, lane: C },
  { name: 'peep', label: 'PEEP', kind: V, unit: 'mbar', min: -5, max: 60, intervalS: 2, lane: C },
  { name: 'peep_intrinsic', label: 'PEEPi', kind: V, unit: 'mbar', min: -5, max: 60, intervalS: 2, lane: C },
  { name: 'tidal_volume', label: 'VT', kind: V, unit: 'mL', min: 0, max: 4000, intervalS: 2, lane: C },
  { name: 'tidal_volume_exp', label: 'VTe', kind: V, unit: 'mL', min: 0, max: 4000, intervalS: 2, lane: C },
  { name: 'tidal_volume_insp', label: 'VTi', kind: V, unit: 'mL', min: 0, max: 4000, intervalS: 2, lane: C },
  { name: 'minute_volume', label: 'MV', kind: V, unit: 'L/min', min: 0, max: 80, intervalS: 2, lane: C },
  { name: 'minute_volume_spont', label: 'MVspont', kind: V, unit: 'L/min', min: 0, max: 80, intervalS: 2, lane: C },
  { name: 'resp_rate', label: 'RR', kind: V, unit: '/min', min: 0, max: 150, intervalS: 2, lane: C },
  { name: 'resp_rate_spont', label: 'RRspont', kind: V, unit: '/min', min: 0, max: 150, intervalS: 2, lane: C },
  { name: 'leak', label: 'Leak', kind: V, unit: 'L/min', min: 0, max: 250, intervalS: 2, lane: C },
  { name: 'leak_rel', label: 'Leak %', kind: V, unit: '%', min: 0, max: 100, intervalS: 2, lane: C },
  { name: 'fio2', label: 'FiO2', kind: V, unit: '%', min: 0, max: 100, intervalS: 2, lane: C },
  { name: 'compliance', label: 'C', kind: V, unit: 'mL/mbar', min: 0, max: 500, intervalS: 2, lane: C },
  { name: 'resistance', label: 'R', kind: V, unit: 'mbar.s/L', min: 0, max: 300, intervalS: 2, lane: C },
  { name: 'etco2', label: 'etCO2', kind: V, unit: 'mm[Hg]', min: 0, max: 150, intervalS: 2, lane: C },
  // device settings (flag 'setting', kept apart from the measured values)
  { name: 'peep_set', label: 'PEEP set', kind: V, unit: 'mbar', min: 0, max: 50, intervalS: 10, lane: C, setting: true },
  { name: 'pressure_support_set', label: 'PS set', kind: V, unit: 'mbar', min: 0, max: 80, intervalS: 10, lane: C, setting: true },
  { name: 'insp_pressure_set', label: 'Pinsp set', kind: V, unit: 'mbar', min: 0, max: 100, intervalS: 10, lane: C, setting: true },
  { name: 'pressure_low_set', label: 'Plow set', kind: V, unit: 'mbar', min: 0, max: 60, intervalS: 10, lane: C, setting: true },
  { name: 'pressure_high_set', label: 'Phigh set', kind: V, unit: 'mbar', min: 0, max: 100, intervalS: 10, lane: C, setting: true },
  { name: 'fio2_set', label: 'O2 set', kind: V, unit: '%', min: 21, max: 100, intervalS: 10, lane: C, setting: true },
  { name: 'resp_rate_set', label: 'f set', kind: V, unit: '/min', min: 0, max: 150, intervalS: 10, lane: C, setting: true },
  { name: 'tidal_volume_set', label: 'VT set', kind: V, unit: 'mL', min: 0, max: 4000, intervalS: 10, lane: C, setting: true },
  { name: 'insp_time_set', label: 'Ti set', kind: V, unit: 's', min: 0, max: 10, intervalS: 10, lane: C, setting: true },
  { name: 'apnea_time_set', label: 'Tapnea set', kind: V, unit: 's', min: 0, max: 120, intervalS: 10, lane: C, setting: true },
  { name: 'flow_trigger_set', label: 'Flow trigger set', kind: V, unit: 'L/min', min: 0, max: 30, intervalS: 10, lane: C, setting: true },
  { name: 'vent_mode', label: 'Mode', kind: V, unit: '1', min: 0, max: 255, intervalS: 10, lane: C, setting: true },
  // waveforms (realtime channel, high-rate lane, batched ~1 s per reading)
  { name: 'paw_waveform', label: 'Paw', kind: V, unit: 'mbar', min: -30, max: 120, intervalS: 1, lane: LANE_HIGHRATE },
  { name: 'flow_waveform', label: 'Flow', kind: V, unit: 'L/min', min: -300, max: 300, intervalS: 1, lane: LANE_HIGHRATE },
  { name: 'volume_waveform', label: 'Volume', kind: V, unit: 'mL', min: -500, max: 4000, intervalS: 1, lane: LANE_HIGHRATE },
];
