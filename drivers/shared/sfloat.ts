import { ok, reject, type Codec, type Decoded } from './codec.js';

/**
 * IEEE 11073-20601 SFLOAT (16 bit) and FLOAT (32 bit), little-endian on the wire.
 * Special values exist only with exponent 0 and are checked before sign extension.
 */
export type Special = 'nan' | 'nres' | '+inf' | '-inf' | 'reserved';
export interface MderValue { value: number | null; special: Special | null }

const SFLOAT_SPECIAL: Record<number, Special> = { 0x07ff: 'nan', 0x0800: 'nres', 0x07fe: '+inf', 0x0802: '-inf', 0x0801: 'reserved' };
const FLOAT_SPECIAL: Record<number, Special> = { 0x7fffff: 'nan', 0x800000: 'nres', 0x7ffffe: '+inf', 0x800002: '-inf', 0x800001: 'reserved' };

/**
 * SFLOAT scale by exponent nibble (bits 15-12 of the raw value): nibbles 0..7 are exponents
 * 0..7 and hold the multiplier 10^e; nibbles 8..15 are exponents -8..-1 and hold the divisor
 * 10^-e. All are exact doubles, so `m * SF_SCALE[n]` / `m / SF_SCALE[n]` is one correctly
 * rounded operation: the nearest double to m × 10^e. That is exactly what the general
 * `Number((m / 10^k).toFixed(k))` yields for |m| ≤ 2048, k ≤ 8 (the quotient is within half
 * an ulp of the k-decimal number, so toFixed prints it exactly and Number() rounds it back to
 * the same nearest double); test/unit/sfloat.test.ts checks all 65,536 raw values.
 */
const SF_SCALE = new Float64Array([1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10]);

/** Special names by raw value - 0x07FE (the SFLOAT_SPECIAL table as an array, for the hot path). */
const SF_SPECIAL_BY_OFFSET: readonly Special[] = ['+inf', 'nan', 'nres', 'reserved', '-inf'];

/** True when the raw SFLOAT is one of the special values (exponent 0, mantissa 0x7FE..0x802). */
export function sfloatIsSpecial(raw: number): boolean {
  return ((raw & 0xffff) - 0x07fe) >>> 0 <= 4;
}

/**
 * The numeric value of a raw SFLOAT, without allocating. Special values are not numbers:
 * callers check `sfloatIsSpecial` first (this returns NaN for them).
 */
export function sfloatNumber(raw: number): number {
  if (sfloatIsSpecial(raw)) return NaN;
  const n = (raw >> 12) & 0x0f;
  const m = ((raw & 0x0fff) << 20) >> 20; // sign-extend the 12-bit mantissa
  const p = SF_SCALE[n] as number;
  return n < 8 ? m * p : m / p;
}

/** Decode an SFLOAT from its raw 16-bit little-endian integer. */
export function sfloatFromRaw(raw: number): MderValue {
  if (sfloatIsSpecial(raw)) return { value: null, special: SF_SPECIAL_BY_OFFSET[(raw & 0xffff) - 0x07fe] as Special };
  const n = (raw >> 12) & 0x0f;
  const m = ((raw & 0x0fff) << 20) >> 20;
  const p = SF_SCALE[n] as number;
  return { value: n < 8 ? m * p : m / p, special: null };
}

/** Decode a FLOAT from its raw 32-bit little-endian integer (unsigned). */
export function floatFromRaw(raw: number): MderValue {
  const mantissaRaw = raw & 0xffffff;
  const special = FLOAT_SPECIAL[mantissaRaw];
  let exponent = (raw >>> 24) & 0xff;
  if (special && exponent === 0) return { value: null, special };
  let mantissa = mantissaRaw;
  if (mantissa >= 0x800000) mantissa -= 0x1000000;
  if (exponent >= 0x80) exponent -= 0x100;
  return { value: scale(mantissa, exponent), special: null };
}

/** mantissa × 10^exponent, rounded to the precision the exponent implies (no 0.30000000000000004). */
function scale(mantissa: number, exponent: number): number {
  if (exponent >= 0) return mantissa * 10 ** exponent;
  return Number((mantissa / 10 ** -exponent).toFixed(Math.min(20, -exponent)));
}

export function readSfloat(b: Uint8Array, at: number): MderValue {
  return sfloatFromRaw((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8));
}

export function readFloat(b: Uint8Array, at: number): MderValue {
  return floatFromRaw(((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0);
}

/**
 * Encode a number as SFLOAT keeping the most precision that fits (mantissa ±2047,
 * exponent -8..7), rounding half up. Returns the raw 16-bit value.
 */
export function encodeSfloat(value: number | Special): number {
  if (typeof value === 'string') return Number(Object.entries(SFLOAT_SPECIAL).find(([, s]) => s === value)?.[0] ?? 0x07ff);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 0x07ff : value > 0 ? 0x07fe : 0x0802;
  for (let exp = -8; exp <= 7; exp++) {
    const m = Math.round(value / 10 ** exp + (value >= 0 ? 1e-9 : -1e-9));
    if (m >= -2045 && m <= 2045 && Math.abs(m * 10 ** exp - value) <= Math.abs(value) * 1e-9 + 1e-12) return pack(m, exp);
  }
  for (let exp = -8; exp <= 7; exp++) {
    const m = Math.round(value / 10 ** exp);
    if (m >= -2045 && m <= 2045) return pack(m, exp);
  }
  return value > 0 ? 0x07fe : 0x0802;
}

function pack(m: number, exp: number): number {
  return ((exp & 0x0f) << 12) | (m & 0x0fff);
}

function mderCodec(name: 'sfloat' | 'float', size: 2 | 4): Codec {
  return {
    name,
    description: name === 'sfloat' ? 'IEEE 11073-20601 16-bit SFLOAT' : 'IEEE 11073-20601 32-bit FLOAT',
    decode(bytes): Decoded<Record<string, unknown>> {
      if (bytes.length < size) return reject('short', bytes.length);
      if (bytes.length > size) return reject('length', size);
      const v = size === 2 ? readSfloat(bytes, 0) : readFloat(bytes, 0);
      return ok({ value: v.value, special: v.special });
    },
  };
}

export const sfloatCodecs: Codec[] = [mderCodec('sfloat', 2), mderCodec('float', 4)];
