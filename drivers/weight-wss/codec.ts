import { ByteReader, u16le } from '../shared/byte-reader.js';
import { encodeBleDateTime, readBleDateTime } from '../shared/ble-date-time.js';
import { ok, reject, type Decoded } from '../shared/codec.js';
import type { DateTimeFields } from '../shared/date-time.js';

/**
 * Pure codec of the Weight Scale Service (0x181D): Weight Measurement (0x2A9D) and Weight Scale
 * Feature (0x2A9E). Weight and height are unsigned integers with a fixed resolution that depends on
 * the unit flag (SI: 0.005 kg, 0.001 m; imperial: 0.01 lb, 0.1 in); BMI 0.1 kg/m². Weight 0xFFFF
 * means "measurement unsuccessful". Layouts in PROTOCOL.md.
 */
export const WSS = { service: '181d', measurement: '2a9d', feature: '2a9e' } as const;
export const BCS = { service: '181b', measurement: '2a9c', feature: '2a9b' } as const;

export const KG_PER_LB = 0.45359237;
export const M_PER_IN = 0.0254;
export const WEIGHT_UNSUCCESSFUL = 0xffff;

export interface WeightMeasurement {
  imperial: boolean;
  /** Raw weight field (resolution by unit); 0xFFFF = unsuccessful. */
  raw: number;
  /** Weight in kg (converted from lb when imperial, rounded to 1 g); null when unsuccessful. */
  kg: number | null;
  timestamp: DateTimeFields | null;
  userId: number | null;
  /** kg/m², resolution 0.1. */
  bmi: number | null;
  /** metres (converted from inches when imperial, rounded to 1 mm). */
  heightM: number | null;
}

export function weightMeasurementSize(flags: number): number {
  return 3 + (flags & 0x02 ? 7 : 0) + (flags & 0x04 ? 1 : 0) + (flags & 0x08 ? 4 : 0);
}

const round = (v: number, step: number): number => Math.round(v / step) * step;
const fix = (v: number, digits: number): number => Number(v.toFixed(digits));

export function decodeWeightMeasurement(b: Uint8Array): Decoded<WeightMeasurement> {
  if (b.length < 1) return reject('short', 0);
  const f = b[0] as number;
  if (f & 0xf0) return reject('flags', 0);
  const need = weightMeasurementSize(f);
  if (b.length < need) return reject('short', b.length);
  if (b.length > need) return reject('length', need);
  const r = new ByteReader(b, 1);
  const imperial = (f & 0x01) !== 0;
  const raw = r.u16();
  let timestamp: DateTimeFields | null = null;
  if (f & 0x02) {
    const t = readBleDateTime(r);
    if (!t.ok) return t;
    timestamp = t.value;
  }
  const userId = f & 0x04 ? r.u8() : null;
  let bmi: number | null = null;
  let heightM: number | null = null;
  if (f & 0x08) {
    bmi = fix(r.u16() * 0.1, 1);
    const h = r.u16();
    heightM = imperial ? fix(round(h * 0.1 * M_PER_IN, 0.001), 3) : fix(h * 0.001, 3);
  }
  const kg = raw === WEIGHT_UNSUCCESSFUL ? null : imperial ? fix(raw * 0.01 * KG_PER_LB, 3) : fix(raw * 0.005, 3);
  return ok({ imperial, raw, kg, timestamp, userId, bmi, heightM });
}

export interface WeightFeature {
  raw: number;
  timestamp: boolean;
  multipleUsers: boolean;
  bmi: boolean;
  /** Weight resolution index 0..7 (0 = not specified). */
  weightResolution: number;
  /** Height resolution index 0..3 (0 = not specified). */
  heightResolution: number;
}

/** Weight resolution by index: [kg, lb]. */
export const WEIGHT_RESOLUTION: readonly (readonly [number, number] | null)[] = [
  null, [0.5, 1], [0.2, 0.5], [0.1, 0.2], [0.05, 0.1], [0.02, 0.05], [0.01, 0.02], [0.005, 0.01],
];
/** Height resolution by index: [m, in]. */
export const HEIGHT_RESOLUTION: readonly (readonly [number, number] | null)[] = [null, [0.01, 1], [0.005, 0.5], [0.001, 0.1]];

export function decodeWeightFeature(b: Uint8Array): Decoded<WeightFeature> {
  if (b.length < 4) return reject('short', b.length);
  if (b.length > 4) return reject('length', 4);
  const raw = new ByteReader(b).u32();
  const weightResolution = (raw >> 3) & 0x0f;
  const heightResolution = (raw >> 7) & 0x07;
  if (weightResolution > 7) return reject('reserved', 0);
  if (heightResolution > 3) return reject('reserved', 0);
  return ok({ raw, timestamp: (raw & 1) !== 0, multipleUsers: (raw & 2) !== 0, bmi: (raw & 4) !== 0, weightResolution, heightResolution });
}

// ---- encoders (simulator, tests) ----

export interface WeightInput { kg: number | null; imperial?: boolean; timestamp?: DateTimeFields; userId?: number; bmi?: number; heightM?: number }

export function encodeWeightMeasurement(m: WeightInput): Uint8Array {
  let f = m.imperial ? 0x01 : 0;
  const raw = m.kg === null ? WEIGHT_UNSUCCESSFUL : m.imperial ? Math.round(m.kg / KG_PER_LB / 0.01) : Math.round(m.kg / 0.005);
  const body = [...u16le(raw)];
  if (m.timestamp) { f |= 0x02; body.push(...encodeBleDateTime(m.timestamp)); }
  if (m.userId !== undefined) { f |= 0x04; body.push(m.userId & 0xff); }
  if (m.bmi !== undefined && m.heightM !== undefined) {
    f |= 0x08;
    body.push(...u16le(Math.round(m.bmi / 0.1)), ...u16le(m.imperial ? Math.round(m.heightM / M_PER_IN / 0.1) : Math.round(m.heightM / 0.001)));
  }
  return Uint8Array.from([f, ...body]);
}

export function encodeWeightFeature(f: Omit<WeightFeature, 'raw'>): Uint8Array {
  const v = (f.timestamp ? 1 : 0) | (f.multipleUsers ? 2 : 0) | (f.bmi ? 4 : 0) | ((f.weightResolution & 0x0f) << 3) | ((f.heightResolution & 7) << 7);
  return Uint8Array.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);
}
