import type { ReadingFlag } from '../../src/core/reading.js';

/**
 * The 24-bit Sensor Status Annunciation field (same layout as CGM Status): bits 0-7 the Status
 * octet, 8-15 the Cal/Temp octet, 16-23 the Warning octet. Names are stable and used in decode
 * output, flags and technical conditions.
 */
export const ANNUNCIATION_BITS: ReadonlyArray<readonly [bit: number, name: string]> = [
  [0, 'session_stopped'],
  [1, 'battery_low'],
  [2, 'sensor_type_incorrect'],
  [3, 'sensor_malfunction'],
  [4, 'device_specific_alert'],
  [5, 'general_device_fault'],
  [8, 'time_sync_required'],
  [9, 'calibration_not_allowed'],
  [10, 'calibration_recommended'],
  [11, 'calibration_required'],
  [12, 'temperature_too_high'],
  [13, 'temperature_too_low'],
  [14, 'calibration_pending'],
  [16, 'below_patient_low'],
  [17, 'above_patient_high'],
  [18, 'below_hypo'],
  [19, 'above_hyper'],
  [20, 'rate_of_decrease_exceeded'],
  [21, 'rate_of_increase_exceeded'],
  [22, 'below_device_range'],
  [23, 'above_device_range'],
];

/** Names of the set bits, in bit order. Unknown (reserved) bits are named `bit<N>`. */
export function annunciationNames(field: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 24; bit++) {
    if (!(field & (1 << bit))) continue;
    const known = ANNUNCIATION_BITS.find(([b]) => b === bit);
    names.push(known ? known[1] : `bit${bit}`);
  }
  return names;
}

/** Reading flags implied by a record's annunciation field. */
export function annunciationFlags(field: number): ReadingFlag[] {
  const flags = new Set<ReadingFlag>();
  if (field & 0x2c) flags.add('invalid'); // sensor type incorrect, malfunction, general fault
  if (field & 0x01) flags.add('questionable'); // session stopped: the value is not from a running session
  if (field & 0x4e00) flags.add('calibration'); // recommended, required, pending, not allowed
  if (field & 0x3000) flags.add('temperature');
  if (field & 0xc00000) flags.add('out-of-device-range');
  return [...flags];
}

export interface CgmCondition {
  code: string;
  mask: number;
  text: string;
}

/** Technical conditions raised from annunciations (and from the CGM Status characteristic). */
export const CGM_CONDITIONS: readonly CgmCondition[] = [
  { code: 'cgm_session_stopped', mask: 0x000001, text: 'CGM sensor session stopped' },
  { code: 'cgm_battery_low', mask: 0x000002, text: 'CGM battery low' },
  { code: 'cgm_sensor_malfunction', mask: 0x00002c, text: 'CGM sensor malfunction or device fault' },
  { code: 'cgm_calibration_required', mask: 0x000800, text: 'CGM calibration required' },
  { code: 'cgm_temperature', mask: 0x003000, text: 'CGM sensor temperature out of range' },
  { code: 'cgm_out_of_range', mask: 0xc00000, text: 'CGM result outside the range the device can measure' },
];

/** Active condition codes for a 24-bit annunciation/status field. */
export function activeConditions(field: number): Set<string> {
  return new Set(CGM_CONDITIONS.filter((c) => (field & c.mask) !== 0).map((c) => c.code));
}
