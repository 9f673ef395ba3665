import { ok, reject, type Decoded } from '../shared/codec.js';
import { BLE_DATE_TIME, bleDateTimeOffsets, checkDateTime } from '../shared/date-time.js';
import { encodeSfloat, sfloatFromRaw, type MderValue } from '../shared/sfloat.js';

/**
 * Pure codec of the Pulse Oximeter Service (0x1822): PLX Continuous Measurement (0x2A5F),
 * PLX Spot-check Measurement (0x2A5E) and PLX Features (0x2A60). Layouts in PROTOCOL.md.
 * No I/O, no clock, no logging. Malformed input returns a typed reject, never throws.
 */
export const PLXS = { service: '1822', spotCheck: '2a5e', continuous: '2a5f', features: '2a60', racp: '2a52' } as const;

export interface PlxContinuous {
  spo2: MderValue; pr: MderValue;
  fast: { spo2: MderValue; pr: MderValue } | null;
  slow: { spo2: MderValue; pr: MderValue } | null;
  measurementStatus: number | null;
  deviceSensorStatus: number | null;
  pai: MderValue | null;
}

export interface PlxDateTime { year: number; month: number; day: number; hours: number; minutes: number; seconds: number }

export interface PlxSpotCheck {
  spo2: MderValue; pr: MderValue;
  timestamp: PlxDateTime | null;
  clockNotSet: boolean;
  measurementStatus: number | null;
  deviceSensorStatus: number | null;
  pai: MderValue | null;
}

export interface PlxFeatures {
  supported: number;
  measurementStatusSupport: number | null;
  deviceSensorStatusSupport: number | null;
}

export const Feature = { measurementStatus: 1 << 0, deviceSensorStatus: 1 << 1, storage: 1 << 2, timestamp: 1 << 3, fast: 1 << 4, slow: 1 << 5, pai: 1 << 6, multiBond: 1 << 7 } as const;

/** A little cursor over the frame; `need(n)` reports 'short' at the first missing byte. */
class Reader {
  at = 1;
  constructor(readonly b: Uint8Array) {}
  has(n: number): boolean { return this.at + n <= this.b.length; }
  u8(): number { return this.b[this.at++] ?? 0; }
  u16(): number { const v = (this.b[this.at] ?? 0) | ((this.b[this.at + 1] ?? 0) << 8); this.at += 2; return v; }
  u24(): number { const v = this.u16(); return v | (this.u8() << 16); }
  sfloat(): MderValue { return sfloatFromRaw(this.u16()); }
}

/** Little-endian uint16 at `at`; callers have checked the length, so both bytes exist. */
function rd16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

function sizeOf(parts: [boolean, number][]): number {
  return parts.reduce((n, [present, size]) => n + (present ? size : 0), 1);
}

/** Byte count of a continuous frame by its flags: 5 + fast 4 + slow 4 + status 2 + device status 3 + PAI 2. */
function continuousSize(f: number): number {
  return 5 + ((f & 1) << 2) + ((f & 2) << 1) + (f & 4 ? 2 : 0) + (f & 8 ? 3 : 0) + (f & 16 ? 2 : 0);
}

export function decodeContinuous(b: Uint8Array): Decoded<PlxContinuous> {
  const len = b.length;
  if (len < 1) return reject('short', 0);
  const f = b[0] as number;
  if (f & 0xe0) return reject('flags', 0);
  // hot path (one per second per device, millions/s in the bench): direct byte reads, numeric
  // SFLOAT decoding (sfloatFromRaw: table scale, no string round trip), no intermediate objects
  const need = continuousSize(f);
  if (len < need) return reject('short', len);
  if (len > need) return reject('length', need);
  const spo2 = sfloatFromRaw(rd16(b, 1));
  const pr = sfloatFromRaw(rd16(b, 3));
  let at = 5;
  let fast: PlxContinuous['fast'] = null;
  let slow: PlxContinuous['slow'] = null;
  if (f & 1) { fast = { spo2: sfloatFromRaw(rd16(b, at)), pr: sfloatFromRaw(rd16(b, at + 2)) }; at += 4; }
  if (f & 2) { slow = { spo2: sfloatFromRaw(rd16(b, at)), pr: sfloatFromRaw(rd16(b, at + 2)) }; at += 4; }
  let measurementStatus: number | null = null;
  if (f & 4) { measurementStatus = rd16(b, at); at += 2; }
  let deviceSensorStatus: number | null = null;
  if (f & 8) { deviceSensorStatus = rd16(b, at) | ((b[at + 2] as number) << 16); at += 3; }
  const pai = f & 16 ? sfloatFromRaw(rd16(b, at)) : null;
  return { ok: true, value: { spo2, pr, fast, slow, measurementStatus, deviceSensorStatus, pai } };
}

export function decodeSpotCheck(b: Uint8Array): Decoded<PlxSpotCheck> {
  if (b.length < 1) return reject('short', 0);
  const f = b[0] ?? 0;
  if (f & 0xe0) return reject('flags', 0);
  const need = sizeOf([[true, 4], [!!(f & 1), 7], [!!(f & 2), 2], [!!(f & 4), 3], [!!(f & 8), 2]]);
  if (b.length < need) return reject('short', b.length);
  if (b.length > need) return reject('length', need);
  const r = new Reader(b);
  const spo2 = r.sfloat(); const pr = r.sfloat();
  let timestamp: PlxDateTime | null = null;
  if (f & 1) {
    const at = r.at;
    const t = { year: r.u16(), month: r.u8(), day: r.u8(), hours: r.u8(), minutes: r.u8(), seconds: r.u8() };
    const bad = checkDateTime(t, bleDateTimeOffsets(at), BLE_DATE_TIME);
    if (bad) return reject(bad.reason, bad.at);
    timestamp = t.year === 0 || t.month === 0 || t.day === 0 ? null : t;
  }
  const measurementStatus = f & 2 ? r.u16() : null;
  const deviceSensorStatus = f & 4 ? r.u24() : null;
  const pai = f & 8 ? r.sfloat() : null;
  return ok({ spo2, pr, timestamp, clockNotSet: !!(f & 16), measurementStatus, deviceSensorStatus, pai });
}

export function decodeFeatures(b: Uint8Array): Decoded<PlxFeatures> {
  if (b.length < 2) return reject('short', b.length);
  const supported = (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  if (supported & 0xff00) return reject('reserved', 1);
  const need = 2 + (supported & 1 ? 2 : 0) + (supported & 2 ? 3 : 0);
  if (b.length < need) return reject('short', b.length);
  if (b.length > need) return reject('length', need);
  const r = new Reader(b);
  r.at = 2;
  const measurementStatusSupport = supported & 1 ? r.u16() : null;
  const deviceSensorStatusSupport = supported & 2 ? r.u24() : null;
  return ok({ supported, measurementStatusSupport, deviceSensorStatusSupport });
}

/** `YYYY-MM-DDTHH:MM:SS` (the device's local time; PLXS carries no zone). */
export function formatDateTime(t: PlxDateTime): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hours)}:${p(t.minutes)}:${p(t.seconds)}`;
}

// ---- encoders (simulator, tests) ----

type Num = number | 'nan' | 'nres';
const sf = (v: Num): number[] => { const raw = encodeSfloat(v); return [raw & 0xff, raw >> 8]; };
const u16le = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u24le = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];

export interface ContinuousInput { spo2: Num; pr: Num; measurementStatus?: number; deviceSensorStatus?: number; pai?: Num }

export function encodeContinuous(m: ContinuousInput): Uint8Array {
  let f = 0;
  const body = [...sf(m.spo2), ...sf(m.pr)];
  if (m.measurementStatus !== undefined) { f |= 4; body.push(...u16le(m.measurementStatus)); }
  if (m.deviceSensorStatus !== undefined) { f |= 8; body.push(...u24le(m.deviceSensorStatus)); }
  if (m.pai !== undefined) { f |= 16; body.push(...sf(m.pai)); }
  return Uint8Array.from([f, ...body]);
}

export interface SpotCheckInput extends ContinuousInput { timestamp?: PlxDateTime; clockNotSet?: boolean }

export function encodeSpotCheck(m: SpotCheckInput): Uint8Array {
  let f = m.clockNotSet ? 16 : 0;
  const body = [...sf(m.spo2), ...sf(m.pr)];
  if (m.timestamp) {
    const t = m.timestamp;
    f |= 1; body.push(...u16le(t.year), t.month, t.day, t.hours, t.minutes, t.seconds);
  }
  if (m.measurementStatus !== undefined) { f |= 2; body.push(...u16le(m.measurementStatus)); }
  if (m.deviceSensorStatus !== undefined) { f |= 4; body.push(...u24le(m.deviceSensorStatus)); }
  if (m.pai !== undefined) { f |= 8; body.push(...sf(m.pai)); }
  return Uint8Array.from([f, ...body]);
}

export function encodeFeatures(f: PlxFeatures): Uint8Array {
  const out = [...u16le(f.supported)];
  if (f.supported & 1) out.push(...u16le(f.measurementStatusSupport ?? 0));
  if (f.supported & 2) out.push(...u24le(f.deviceSensorStatusSupport ?? 0));
  return Uint8Array.from(out);
}
