import { ByteReader, u16le } from '../shared/byte-reader.js';
import { encodeBleDateTime, readBleDateTime } from '../shared/ble-date-time.js';
import { ok, reject, type Decoded } from '../shared/codec.js';
import type { DateTimeFields } from '../shared/date-time.js';
import { encodeSfloat, type MderValue } from '../shared/sfloat.js';

/**
 * Pure codec of the Blood Pressure Service (0x1810): Blood Pressure Measurement (0x2A35) and
 * Blood Pressure Feature (0x2A49). Layouts in PROTOCOL.md. No I/O; malformed input → typed reject.
 */
export const BPS = { service: '1810', measurement: '2a35', intermediateCuff: '2a36', feature: '2a49' } as const;

/** 1 kPa in mmHg (101.325 kPa = 760 mmHg). */
export const MMHG_PER_KPA = 760 / 101.325;

export interface BpMeasurement {
  unit: 'mmHg' | 'kPa';
  systolic: MderValue;
  diastolic: MderValue;
  map: MderValue;
  /** Device wall time; null when absent or unknown (year/month/day 0). */
  timestamp: DateTimeFields | null;
  pulse: MderValue | null;
  /** 0xFF = unknown user. */
  userId: number | null;
  status: number | null;
}

/** Measurement Status bits. Bits 3–4 are the pulse-rate range (0 in range, 1 above, 2 below, 3 RFU). */
export const BpStatus = { bodyMovement: 1 << 0, cuffLoose: 1 << 1, irregularPulse: 1 << 2, pulseRange: 3 << 3, position: 1 << 5 } as const;
export const PULSE_RANGE = ['in_range', 'above_upper_limit', 'below_lower_limit', 'reserved'] as const;

/** Blood Pressure Feature bits (BLS 1.0 defines bits 0–5; later revisions add more, kept raw). */
export const BpFeature = { bodyMovement: 1 << 0, cuffFit: 1 << 1, irregularPulse: 1 << 2, pulseRange: 1 << 3, position: 1 << 4, multiBond: 1 << 5 } as const;

export function bpMeasurementSize(flags: number): number {
  return 7 + (flags & 0x02 ? 7 : 0) + (flags & 0x04 ? 2 : 0) + (flags & 0x08 ? 1 : 0) + (flags & 0x10 ? 2 : 0);
}

export function decodeBpMeasurement(b: Uint8Array): Decoded<BpMeasurement> {
  if (b.length < 1) return reject('short', 0);
  const f = b[0] as number;
  if (f & 0xe0) return reject('flags', 0);
  const need = bpMeasurementSize(f);
  if (b.length < need) return reject('short', b.length);
  if (b.length > need) return reject('length', need);
  const r = new ByteReader(b, 1);
  const systolic = r.sfloat(); const diastolic = r.sfloat(); const map = r.sfloat();
  let timestamp: DateTimeFields | null = null;
  if (f & 0x02) {
    const t = readBleDateTime(r);
    if (!t.ok) return t;
    timestamp = t.value;
  }
  const pulse = f & 0x04 ? r.sfloat() : null;
  const userId = f & 0x08 ? r.u8() : null;
  const status = f & 0x10 ? r.u16() : null;
  return ok({ unit: f & 0x01 ? 'kPa' : 'mmHg', systolic, diastolic, map, timestamp, pulse, userId, status });
}

export function decodeBpFeature(b: Uint8Array): Decoded<number> {
  if (b.length < 2) return reject('short', b.length);
  if (b.length > 2) return reject('length', 2);
  return ok((b[0] as number) | ((b[1] as number) << 8));
}

/** A pressure in mmHg whatever unit the cuff sent (null for NaN/NRes and the other specials). */
export function toMmHg(v: MderValue, unit: BpMeasurement['unit']): number | null {
  if (v.value === null) return null;
  return unit === 'kPa' ? Math.round(v.value * MMHG_PER_KPA * 10) / 10 : v.value;
}

// ---- encoders (simulator, tests) ----

type Num = number | 'nan' | 'nres';
const sf = (v: Num): number[] => u16le(encodeSfloat(v));

export interface BpInput {
  kpa?: boolean; systolic: Num; diastolic: Num; map: Num;
  timestamp?: DateTimeFields; pulse?: Num; userId?: number; status?: number;
}

export function encodeBpMeasurement(m: BpInput): Uint8Array {
  let f = m.kpa ? 0x01 : 0;
  const body = [...sf(m.systolic), ...sf(m.diastolic), ...sf(m.map)];
  if (m.timestamp) { f |= 0x02; body.push(...encodeBleDateTime(m.timestamp)); }
  if (m.pulse !== undefined) { f |= 0x04; body.push(...sf(m.pulse)); }
  if (m.userId !== undefined) { f |= 0x08; body.push(m.userId & 0xff); }
  if (m.status !== undefined) { f |= 0x10; body.push(...u16le(m.status)); }
  return Uint8Array.from([f, ...body]);
}

export function encodeBpFeature(bits: number): Uint8Array {
  return Uint8Array.from(u16le(bits));
}
