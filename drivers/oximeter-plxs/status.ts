import type { ReadingFlag } from '../../src/core/reading.js';

/**
 * PLXS status bits → reading flags and technical conditions (bit numbers in PROTOCOL.md).
 */
export const MS = { early: 1 << 6, storage: 1 << 9, demo: 1 << 10, test: 1 << 11, calibration: 1 << 12, unavailable: 1 << 13, questionable: 1 << 14, invalid: 1 << 15 } as const;
export const DSS = {
  malfunction: 1 << 1, processingIrregular: 1 << 2, inadequate: 1 << 3, poor: 1 << 4, lowPerfusion: 1 << 5, erratic: 1 << 6,
  nonpulsatile: 1 << 7, questionablePulse: 1 << 8, interference: 1 << 10, unconnected: 1 << 11, unknownSensor: 1 << 12,
  displaced: 1 << 13, sensorMalfunction: 1 << 14, disconnected: 1 << 15,
} as const;

const SIGNAL_QUALITY = DSS.processingIrregular | DSS.inadequate | DSS.poor | DSS.erratic | DSS.nonpulsatile | DSS.questionablePulse | DSS.interference | DSS.displaced | DSS.unknownSensor;

export function flagsFor(measurementStatus: number | null, deviceSensorStatus: number | null): ReadingFlag[] {
  const f = new Set<ReadingFlag>();
  const ms = measurementStatus ?? 0;
  const ds = deviceSensorStatus ?? 0;
  if (ms & MS.early) f.add('early-estimate');
  if (ms & MS.questionable || ds & SIGNAL_QUALITY) f.add('questionable');
  if (ms & MS.invalid || ms & MS.unavailable) f.add('invalid');
  if (ds & DSS.lowPerfusion) f.add('low-perfusion');
  if (ms & MS.storage) f.add('stored');
  if (ms & MS.demo) f.add('demo');
  if (ms & MS.test) f.add('test');
  if (ms & MS.calibration) f.add('calibration');
  return [...f];
}

export interface TechnicalSpec { code: string; text: string; bits: number }

/** Device & sensor status bits that are technical conditions of the device (not of the patient). */
export const TECHNICAL: TechnicalSpec[] = [
  { code: 'sensor_off_finger', text: 'Oximeter sensor not on the finger', bits: DSS.unconnected },
  { code: 'sensor_disconnected', text: 'Oximeter sensor disconnected', bits: DSS.disconnected },
  { code: 'equipment_malfunction', text: 'Oximeter reports an equipment or sensor malfunction', bits: DSS.malfunction | DSS.sensorMalfunction },
];
