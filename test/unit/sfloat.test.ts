import { describe, expect, it } from 'vitest';
import { floatFromRaw, readFloat, readSfloat, sfloatFromRaw, sfloatIsSpecial, sfloatNumber, type MderValue, type Special } from '../../drivers/shared/sfloat.js';

/**
 * Reference: the SFLOAT decoder as it was before the numeric fast path (special lookup, sign
 * extension by subtraction, `Number((m / 10 ** -e).toFixed(-e))` for negative exponents).
 * The fast path must give the very same doubles (Object.is, so -0 and NaN count) for every raw value.
 */
const REF_SPECIAL: Record<number, Special> = { 0x07ff: 'nan', 0x0800: 'nres', 0x07fe: '+inf', 0x0802: '-inf', 0x0801: 'reserved' };
function referenceSfloat(raw: number): MderValue {
  const special = REF_SPECIAL[raw & 0xffff];
  if (special) return { value: null, special };
  let mantissa = raw & 0x0fff;
  let exponent = (raw >> 12) & 0x0f;
  if (mantissa >= 0x0800) mantissa -= 0x1000;
  if (exponent >= 0x08) exponent -= 0x10;
  const value = exponent >= 0 ? mantissa * 10 ** exponent : Number((mantissa / 10 ** -exponent).toFixed(Math.min(20, -exponent)));
  return { value, special: null };
}

const hex = (raw: number): string => `0x${raw.toString(16).padStart(4, '0')}`;

describe('SFLOAT fast path', () => {
  it('equals the reference decoder for all 65,536 raw values', () => {
    const mismatches: string[] = [];
    for (let raw = 0; raw <= 0xffff; raw++) {
      const want = referenceSfloat(raw);
      const got = sfloatFromRaw(raw);
      const bytes = Uint8Array.of(raw & 0xff, raw >> 8);
      const viaBytes = readSfloat(bytes, 0);
      const special = want.special !== null;
      if (
        got.special !== want.special || !Object.is(got.value, want.value) ||
        viaBytes.special !== want.special || !Object.is(viaBytes.value, want.value) ||
        sfloatIsSpecial(raw) !== special ||
        (special ? !Number.isNaN(sfloatNumber(raw)) : !Object.is(sfloatNumber(raw), want.value))
      ) mismatches.push(`${hex(raw)}: want ${JSON.stringify(want)} got ${JSON.stringify(got)} number ${sfloatNumber(raw)}`);
      if (mismatches.length > 20) break;
    }
    expect(mismatches).toEqual([]);
  });

  it('returns plain objects with exactly the value/special fields', () => {
    for (const raw of [0x0000, 0xf065, 0x07ff, 0x0800, 0x07fe, 0x0802, 0x0801, 0xffff]) {
      const v = sfloatFromRaw(raw);
      expect(Object.keys(v)).toEqual(['value', 'special']);
      expect(v).toEqual(referenceSfloat(raw));
    }
  });

  it('ignores bits above 16 the way the reference does', () => {
    for (const raw of [0x1_07ff, 0x3_f065, 0xff_ffff, 0x1_0000, 0x7fff_0802]) {
      expect(sfloatFromRaw(raw)).toEqual(referenceSfloat(raw));
      expect(sfloatIsSpecial(raw)).toBe(referenceSfloat(raw).special !== null);
    }
  });

  it('decodes the ble-health.md §2 vectors', () => {
    const v = (b0: number, b1: number): number | null => readSfloat(Uint8Array.of(b0, b1), 0).value;
    expect(v(0x65, 0xf0)).toBe(10.1);
    expect(v(0xd2, 0xe4)).toBe(12.34);
    expect(v(0x0c, 0x10)).toBe(120);
    expect(v(0x01, 0x20)).toBe(100);
    expect(v(0xe8, 0xf3)).toBe(100);
    expect(v(0x64, 0x00)).toBe(100);
    expect(v(0x01, 0xfe)).toBe(-51.1);
    expect(v(0x9c, 0x0f)).toBe(-100);
    expect(v(0x0f, 0xf9)).toBe(-177.7);
    expect(v(0x0b, 0xc0)).toBe(0.0011);
    expect(v(0x62, 0x80)).toBe(98e-8); // trap vector: not 98
    expect(readSfloat(Uint8Array.of(0xff, 0x07), 0)).toEqual({ value: null, special: 'nan' });
    expect(readSfloat(Uint8Array.of(0x00, 0x08), 0)).toEqual({ value: null, special: 'nres' });
    expect(readSfloat(Uint8Array.of(0xfe, 0x07), 0)).toEqual({ value: null, special: '+inf' });
    expect(readSfloat(Uint8Array.of(0x02, 0x08), 0)).toEqual({ value: null, special: '-inf' });
    expect(readSfloat(Uint8Array.of(0x01, 0x08), 0)).toEqual({ value: null, special: 'reserved' });
    // special mantissas with a non-zero exponent are ordinary numbers
    expect(sfloatFromRaw(0x17ff)).toEqual({ value: 20470, special: null });
    expect(sfloatFromRaw(0xf800)).toEqual({ value: -204.8, special: null });
  });
});

describe('FLOAT (unchanged)', () => {
  it('decodes the ble-health.md §2 vectors', () => {
    expect(readFloat(Uint8Array.of(0x87, 0xd6, 0x12, 0xfe), 0).value).toBe(12345.67);
    expect(readFloat(Uint8Array.of(0xa0, 0x25, 0x26, 0xf8), 0).value).toBe(0.025);
    expect(floatFromRaw(0x007fffff)).toEqual({ value: null, special: 'nan' });
    expect(floatFromRaw(0x00800000)).toEqual({ value: null, special: 'nres' });
    expect(floatFromRaw(0x007ffffe)).toEqual({ value: null, special: '+inf' });
    expect(floatFromRaw(0x00800002)).toEqual({ value: null, special: '-inf' });
    expect(floatFromRaw(0x00800001)).toEqual({ value: null, special: 'reserved' });
    expect(floatFromRaw(0x017fffff)).toEqual({ value: 83886070, special: null });
  });
});
