import { MG_DL_PER_MMOL_L } from '../../src/core/metrics/glucose.js';
import { ByteReader, u16le } from '../shared/byte-reader.js';
import { encodeBleDateTime, readBleDateTime } from '../shared/ble-date-time.js';
import { ok, reject, type Decoded } from '../shared/codec.js';
import type { DateTimeFields } from '../shared/date-time.js';
import { encodeSfloat, type MderValue } from '../shared/sfloat.js';

/**
 * Pure codec of the Glucose Service (0x1808): Glucose Measurement (0x2A18), Glucose Measurement
 * Context (0x2A34) and Glucose Feature (0x2A51). Layouts in PROTOCOL.md. The concentration is an
 * SFLOAT in kg/L (flag b2 = 0) or mol/L (b2 = 1); `mmolL` converts it (kg/L × 10⁵ = mg/dL).
 */
export const GLS = { service: '1808', measurement: '2a18', context: '2a34', feature: '2a51', racp: '2a52' } as const;

export interface GlucoseMeasurement {
  sequence: number;
  /** Base Time (device wall time); null when unknown (year/month/day 0). */
  baseTime: DateTimeFields | null;
  /** Minutes to add to the base time for the user-facing time (sint16); null when absent. */
  timeOffsetMin: number | null;
  concentration: MderValue | null;
  unit: 'kg/L' | 'mol/L';
  /** Type (low nibble) and sample location (high nibble); null when absent. */
  type: number | null;
  location: number | null;
  status: number | null;
  contextFollows: boolean;
}

export const SAMPLE_TYPES = ['reserved', 'capillary_whole_blood', 'capillary_plasma', 'venous_whole_blood', 'venous_plasma', 'arterial_whole_blood', 'arterial_plasma', 'undetermined_whole_blood', 'undetermined_plasma', 'interstitial_fluid', 'control_solution'] as const;
export const SAMPLE_LOCATIONS: Readonly<Record<number, string>> = { 1: 'finger', 2: 'alternate_site_test', 3: 'earlobe', 4: 'control_solution', 15: 'not_available' };
export const TYPE_CONTROL = 10;
export const LOCATION_CONTROL = 4;

/** Sensor Status Annunciation bits (u16; 12–15 RFU). */
export const GlsStatus = {
  batteryLow: 1 << 0, sensorMalfunction: 1 << 1, sampleInsufficient: 1 << 2, stripInsertion: 1 << 3, stripType: 1 << 4,
  resultHigh: 1 << 5, resultLow: 1 << 6, tempHigh: 1 << 7, tempLow: 1 << 8, readInterrupted: 1 << 9, deviceFault: 1 << 10, timeFault: 1 << 11,
} as const;
export const STATUS_NAMES: readonly string[] = [
  'device_battery_low', 'sensor_malfunction', 'sample_size_insufficient', 'strip_insertion_error', 'strip_type_incorrect',
  'result_higher_than_device_can_process', 'result_lower_than_device_can_process', 'sensor_temperature_too_high',
  'sensor_temperature_too_low', 'read_interrupted_strip_pulled_too_soon', 'general_device_fault', 'time_fault',
];

export function glucoseMeasurementSize(flags: number): number {
  return 10 + (flags & 0x01 ? 2 : 0) + (flags & 0x02 ? 3 : 0) + (flags & 0x08 ? 2 : 0);
}

export function decodeGlucoseMeasurement(b: Uint8Array): Decoded<GlucoseMeasurement> {
  if (b.length < 1) return reject('short', 0);
  const f = b[0] as number;
  if (f & 0xe0) return reject('flags', 0);
  const need = glucoseMeasurementSize(f);
  if (b.length < need) return reject('short', b.length);
  if (b.length > need) return reject('length', need);
  const r = new ByteReader(b, 1);
  const sequence = r.u16();
  const t = readBleDateTime(r);
  if (!t.ok) return t;
  const timeOffsetMin = f & 0x01 ? r.s16() : null;
  let concentration: MderValue | null = null;
  let type: number | null = null;
  let location: number | null = null;
  if (f & 0x02) {
    concentration = r.sfloat();
    const tl = r.u8();
    type = tl & 0x0f;
    location = tl >> 4;
  }
  const status = f & 0x08 ? r.u16() : null;
  return ok({ sequence, baseTime: t.value, timeOffsetMin, concentration, unit: f & 0x04 ? 'mol/L' : 'kg/L', type, location, status, contextFollows: (f & 0x10) !== 0 });
}

/** The concentration in mmol/L (null when absent or special), rounded to 0.01 mmol/L. */
export function mmolL(m: Pick<GlucoseMeasurement, 'concentration' | 'unit'>): number | null {
  const v = m.concentration?.value;
  if (v === null || v === undefined) return null;
  const mmol = m.unit === 'mol/L' ? v * 1000 : (v * 1e5) / MG_DL_PER_MMOL_L;
  return Math.round(mmol * 100) / 100;
}

export interface GlucoseContext {
  sequence: number;
  extendedFlags: number | null;
  carbohydrate: { id: number; kg: MderValue } | null;
  meal: number | null;
  tester: number | null;
  health: number | null;
  exercise: { durationS: number; intensityPct: number } | null;
  medication: { id: number; value: MderValue; unit: 'kg' | 'L' } | null;
  hba1c: MderValue | null;
}

export const MEALS = ['reserved', 'preprandial', 'postprandial', 'fasting', 'casual', 'bedtime'] as const;

export function glucoseContextSize(flags: number): number {
  return 3 + (flags & 0x80 ? 1 : 0) + (flags & 0x01 ? 3 : 0) + (flags & 0x02 ? 1 : 0) + (flags & 0x04 ? 1 : 0)
    + (flags & 0x08 ? 3 : 0) + (flags & 0x10 ? 3 : 0) + (flags & 0x40 ? 2 : 0);
}

export function decodeGlucoseContext(b: Uint8Array): Decoded<GlucoseContext> {
  if (b.length < 1) return reject('short', 0);
  const f = b[0] as number;
  const need = glucoseContextSize(f);
  if (b.length < need) return reject('short', b.length);
  if (b.length > need) return reject('length', need);
  const r = new ByteReader(b, 1);
  const sequence = r.u16();
  const extendedFlags = f & 0x80 ? r.u8() : null;
  const carbohydrate = f & 0x01 ? { id: r.u8(), kg: r.sfloat() } : null;
  const meal = f & 0x02 ? r.u8() : null;
  let tester: number | null = null;
  let health: number | null = null;
  if (f & 0x04) { const th = r.u8(); tester = th & 0x0f; health = th >> 4; }
  const exercise = f & 0x08 ? { durationS: r.u16(), intensityPct: r.u8() } : null;
  const medication = f & 0x10 ? { id: r.u8(), value: r.sfloat(), unit: (f & 0x20 ? 'L' : 'kg') as 'kg' | 'L' } : null;
  const hba1c = f & 0x40 ? r.sfloat() : null;
  return ok({ sequence, extendedFlags, carbohydrate, meal, tester, health, exercise, medication, hba1c });
}

/** Glucose Feature bits (u16; 11–15 RFU). */
export const GlsFeature = {
  lowBattery: 1 << 0, malfunction: 1 << 1, sampleSize: 1 << 2, stripInsertion: 1 << 3, stripType: 1 << 4,
  resultHighLow: 1 << 5, tempHighLow: 1 << 6, readInterrupt: 1 << 7, deviceFault: 1 << 8, timeFault: 1 << 9, multiBond: 1 << 10,
} as const;

export function decodeGlucoseFeature(b: Uint8Array): Decoded<number> {
  if (b.length < 2) return reject('short', b.length);
  if (b.length > 2) return reject('length', 2);
  return ok((b[0] as number) | ((b[1] as number) << 8));
}

// ---- encoders (simulator, tests) ----

type Num = number | 'nan' | 'nres';

export interface GlucoseInput {
  sequence: number; baseTime: DateTimeFields; timeOffsetMin?: number;
  /** mg/dL, sent as kg/L (or mmol/L sent as mol/L with `molar`). */
  mgdl?: Num; molar?: boolean; mmol?: number;
  type?: number; location?: number; status?: number; contextFollows?: boolean;
}

export function encodeGlucoseMeasurement(m: GlucoseInput): Uint8Array {
  let f = m.contextFollows ? 0x10 : 0;
  const body = [...u16le(m.sequence), ...encodeBleDateTime(m.baseTime)];
  if (m.timeOffsetMin !== undefined) { f |= 0x01; body.push(...u16le(m.timeOffsetMin & 0xffff)); }
  if (m.mgdl !== undefined || m.mmol !== undefined) {
    f |= 0x02;
    let raw: number;
    if (m.molar) { f |= 0x04; raw = encodeSfloat((m.mmol ?? 0) / 1000); } else raw = encodeSfloat(typeof m.mgdl === 'number' ? m.mgdl / 1e5 : (m.mgdl ?? 'nan'));
    body.push(...u16le(raw), ((m.location ?? 1) << 4) | (m.type ?? 2));
  }
  if (m.status !== undefined) { f |= 0x08; body.push(...u16le(m.status)); }
  return Uint8Array.from([f, ...body]);
}

export function encodeGlucoseContext(c: { sequence: number; meal?: number; hba1c?: Num }): Uint8Array {
  let f = 0;
  const body = [...u16le(c.sequence)];
  if (c.meal !== undefined) { f |= 0x02; body.push(c.meal); }
  if (c.hba1c !== undefined) { f |= 0x40; body.push(...u16le(encodeSfloat(c.hba1c))); }
  return Uint8Array.from([f, ...body]);
}
