import { LANE_CLINICAL, LANE_HIGHRATE } from '../reading.js';
import type { MetricSpec } from './types.js';

// Ventilator metrics (MEDIBUS driver, drivers/ventilator-medibus). MDC codes: IEEE 11073-10101
// nomenclature, partition 2 (SCADA) = 2·65536 + term code. Checked against:
//   [R] the HL7 terminology (tx.fhir.org `urn:iso:std:iso:11073:10101` $lookup results as
//       tabulated for the German MII ICU module ventilation value set);
//   [P] the HL7 Germany home-ventilation profiles (leak 152432 MDC_VENT_VOL_LEAK, L/min);
//   [T] term codes of the PHD partition listing (MDC_FLOW_AWAY 20692, MDC_VOL_AWAY 21636,
//       MDC_VOL_AWAY_TIDAL 20796, MDC_VOL_MINUTE_AWAY 20808).
// Settings: 11073 keeps settings as separate `_SETTING` codes; only the one verified is used,
// the others are null (the `setting` flag and the metric name keep them apart from measurements).
// Units are UCUM as MEDIBUS measures them: pressures mbar, volumes mL, flows L/min, rates /min.

const V = 'ventilator' as const;
const C = LANE_CLINICAL;

export const ventilationMetrics: MetricSpec[] = [
  // measured values (polled, codepages 1 and 2)
  { name: 'paw_peak', label: 'Ppeak', kind: V, mdc: 151973, mdcRef: 'MDC_VENT_PRESS_AWAY_MAX [R]', unit: 'mbar', min: -5, max: 100, intervalS: 2, lane: C },
  { name: 'paw_mean', label: 'Pmean', kind: V, mdc: 151975, mdcRef: 'MDC_VENT_PRESS_AWAY_MEAN [R]', unit: 'mbar', min: -5, max: 100, intervalS: 2, lane: C },
  { name: 'paw_plateau', label: 'Pplat', kind: V, mdc: 152424, mdcRef: 'MDC_VENT_PRESS_RESP_PLAT [R]', unit: 'mbar', min: -5, max: 100, intervalS: 2, lane: C },
  { name: 'paw_min', label: 'Pmin', kind: V, mdc: null, mdcRef: 'no verified code for minimal airway pressure', unit: 'mbar', min: -30, max: 100, intervalS: 2, lane: C },
  { name: 'peep', label: 'PEEP', kind: V, mdc: 151976, mdcRef: 'MDC_VENT_PRESS_AWAY_END_EXP_POS [R]', unit: 'mbar', min: -5, max: 60, intervalS: 2, lane: C },
  { name: 'peep_intrinsic', label: 'PEEPi', kind: V, mdc: 151808, mdcRef: 'MDC_PRESS_AWAY_END_EXP_POS_INTRINSIC [R]', unit: 'mbar', min: -5, max: 60, intervalS: 2, lane: C },
  { name: 'tidal_volume', label: 'VT', kind: V, mdc: 151980, mdcRef: 'MDC_VENT_VOL_TIDAL [R]', unit: 'mL', min: 0, max: 4000, intervalS: 2, lane: C },
  { name: 'tidal_volume_exp', label: 'VTe', kind: V, mdc: 152664, mdcRef: 'MDC_VOL_AWAY_TIDAL_EXP [R]', unit: 'mL', min: 0, max: 4000, intervalS: 2, lane: C },
  { name: 'tidal_volume_insp', label: 'VTi', kind: V, mdc: 152660, mdcRef: 'MDC_VOL_AWAY_TIDAL_INSP [R]', unit: 'mL', min: 0, max: 4000, intervalS: 2, lane: C },
  { name: 'minute_volume', label: 'MV', kind: V, mdc: 151880, mdcRef: 'MDC_VOL_MINUTE_AWAY (2::20808) [T]', unit: 'L/min', min: 0, max: 80, intervalS: 2, lane: C },
  { name: 'minute_volume_spont', label: 'MVspont', kind: V, mdc: null, mdcRef: 'no verified code for spontaneous minute volume', unit: 'L/min', min: 0, max: 80, intervalS: 2, lane: C },
  { name: 'resp_rate', label: 'RR', kind: V, mdc: 151586, mdcRef: 'MDC_VENT_RESP_RATE [R]', unit: '/min', min: 0, max: 150, intervalS: 2, lane: C },
  { name: 'resp_rate_spont', label: 'RRspont', kind: V, mdc: 152498, mdcRef: 'MDC_VENT_RESP_BTSD_P_RATE [R]', unit: '/min', min: 0, max: 150, intervalS: 2, lane: C },
  { name: 'leak', label: 'Leak', kind: V, mdc: 152432, mdcRef: 'MDC_VENT_VOL_LEAK [P] (MEDIBUS sends mL/min; forwarded in L/min)', unit: 'L/min', min: 0, max: 250, intervalS: 2, lane: C },
  { name: 'leak_rel', label: 'Leak %', kind: V, mdc: null, mdcRef: 'MDC_VENT_VOL_LEAK_PERCENT exists; code not verified', unit: '%', min: 0, max: 100, intervalS: 2, lane: C },
  { name: 'fio2', label: 'FiO2', kind: V, mdc: 152196, mdcRef: 'MDC_CONC_AWAY_O2_INSP [R]', unit: '%', min: 0, max: 100, intervalS: 2, lane: C },
  { name: 'compliance', label: 'C', kind: V, mdc: 151688, mdcRef: 'MDC_COMPL_LUNG [R] (MEDIBUS L/bar = mL/mbar)', unit: 'mL/mbar', min: 0, max: 500, intervalS: 2, lane: C },
  { name: 'resistance', label: 'R', kind: V, mdc: 151840, mdcRef: 'MDC_RES_AWAY "Airway Resistance" [R]', unit: 'mbar.s/L', min: 0, max: 300, intervalS: 2, lane: C },
  { name: 'etco2', label: 'etCO2', kind: V, mdc: 151708, mdcRef: 'MDC_CONC_AWAY_CO2_ET [R]', unit: 'mm[Hg]', min: 0, max: 150, intervalS: 2, lane: C },
  // device settings (flag 'setting', kept apart from the measured values)
  { name: 'peep_set', label: 'PEEP set', kind: V, mdc: null, mdcRef: 'setting of MDC_VENT_PRESS_AWAY_END_EXP_POS; _SETTING code not verified', unit: 'mbar', min: 0, max: 50, intervalS: 10, lane: C, setting: true },
  { name: 'pressure_support_set', label: 'PS set', kind: V, mdc: null, mdcRef: 'no verified code', unit: 'mbar', min: 0, max: 80, intervalS: 10, lane: C, setting: true },
  { name: 'insp_pressure_set', label: 'Pinsp set', kind: V, mdc: null, mdcRef: 'no verified code', unit: 'mbar', min: 0, max: 100, intervalS: 10, lane: C, setting: true },
  { name: 'pressure_low_set', label: 'Plow set', kind: V, mdc: null, mdcRef: 'no verified code (BIPAP lower level / EPAP)', unit: 'mbar', min: 0, max: 60, intervalS: 10, lane: C, setting: true },
  { name: 'pressure_high_set', label: 'Phigh set', kind: V, mdc: null, mdcRef: 'no verified code (BIPAP upper level / IPAP)', unit: 'mbar', min: 0, max: 100, intervalS: 10, lane: C, setting: true },
  { name: 'fio2_set', label: 'O2 set', kind: V, mdc: null, mdcRef: 'no verified code', unit: '%', min: 21, max: 100, intervalS: 10, lane: C, setting: true },
  { name: 'resp_rate_set', label: 'f set', kind: V, mdc: null, mdcRef: 'setting of MDC_VENT_RESP_RATE; _SETTING code not verified', unit: '/min', min: 0, max: 150, intervalS: 10, lane: C, setting: true },
  { name: 'tidal_volume_set', label: 'VT set', kind: V, mdc: 16929196, mdcRef: 'MDC_VENT_VOL_TIDAL_SETTING [R]', unit: 'mL', min: 0, max: 4000, intervalS: 10, lane: C, setting: true },
  { name: 'insp_time_set', label: 'Ti set', kind: V, mdc: null, mdcRef: 'no verified code', unit: 's', min: 0, max: 10, intervalS: 10, lane: C, setting: true },
  { name: 'apnea_time_set', label: 'Tapnea set', kind: V, mdc: null, mdcRef: 'no verified code', unit: 's', min: 0, max: 120, intervalS: 10, lane: C, setting: true },
  { name: 'flow_trigger_set', label: 'Flow trigger set', kind: V, mdc: null, mdcRef: 'no verified code', unit: 'L/min', min: 0, max: 30, intervalS: 10, lane: C, setting: true },
  { name: 'vent_mode', label: 'Mode', kind: V, mdc: null, mdcRef: 'MEDIBUS text-message code of the ventilation mode (MDC_VENT_MODE is an enumeration, not mapped)', unit: '1', min: 0, max: 255, intervalS: 10, lane: C, setting: true },
  // waveforms (realtime channel, high-rate lane, batched ~1 s per reading)
  { name: 'paw_waveform', label: 'Paw', kind: V, mdc: null, mdcRef: 'MDC_PRESS_AWAY; code not verified', unit: 'mbar', min: -30, max: 120, intervalS: 1, lane: LANE_HIGHRATE },
  { name: 'flow_waveform', label: 'Flow', kind: V, mdc: 151764, mdcRef: 'MDC_FLOW_AWAY (2::20692) [T]', unit: 'L/min', min: -300, max: 300, intervalS: 1, lane: LANE_HIGHRATE },
  { name: 'volume_waveform', label: 'Volume', kind: V, mdc: 152708, mdcRef: 'MDC_VOL_AWAY (2::21636) [T]', unit: 'mL', min: -500, max: 4000, intervalS: 1, lane: LANE_HIGHRATE },
];
