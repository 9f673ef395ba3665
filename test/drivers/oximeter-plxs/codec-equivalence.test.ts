import { mulberry32 } from '../../../src/core/prng.js';
import { describe, expect, it } from 'vitest';
import { decodeContinuous, encodeContinuous } from '../../../drivers/oximeter-plxs/codec.js';
import { codecs } from '../../../drivers/oximeter-plxs/codecs.js';
import type { Decoded } from '../../../drivers/shared/codec.js';

/**
 * The continuous decoder's fast path against a straightforward reference written from
 * ble-health.md §3.3 (cursor reads, SFLOAT via the toFixed rounding): same values (Object.is),
 * same nulls, same rejects (reason and byte offset) for every flag byte and many frames.
 */
type Mder = { value: number | null; special: string | null };
const SPECIAL: Record<number, string> = { 0x07ff: 'nan', 0x0800: 'nres', 0x07fe: '+inf', 0x0802: '-inf', 0x0801: 'reserved' };
function refSfloat(raw: number): Mder {
  const special = SPECIAL[raw];
  if (special) return { value: null, special };
  let m = raw & 0x0fff; let e = (raw >> 12) & 0x0f;
  if (m >= 0x0800) m -= 0x1000;
  if (e >= 0x08) e -= 0x10;
  return { value: e >= 0 ? m * 10 ** e : Number((m / 10 ** -e).toFixed(-e)), special: null };
}
function refDecode(b: Uint8Array): Decoded<unknown> {
  if (b.length < 1) return { ok: false, reason: 'short', at: 0 };
  const f = b[0]!;
  if (f & 0xe0) return { ok: false, reason: 'flags', at: 0 };
  const sizes: [number, number][] = [[1, 4], [2, 4], [4, 2], [8, 3], [16, 2]];
  const need = sizes.reduce((n, [bit, size]) => n + (f & bit ? size : 0), 5);
  if (b.length < need) return { ok: false, reason: 'short', at: b.length };
  if (b.length > need) return { ok: false, reason: 'length', at: need };
  let at = 1;
  const u16 = (): number => { const v = b[at]! | (b[at + 1]! << 8); at += 2; return v; };
  const sf = (): Mder => refSfloat(u16());
  const spo2 = sf(); const pr = sf();
  const fast = f & 1 ? { spo2: sf(), pr: sf() } : null;
  const slow = f & 2 ? { spo2: sf(), pr: sf() } : null;
  const measurementStatus = f & 4 ? u16() : null;
  const deviceSensorStatus = f & 8 ? u16() | (b[at++]! << 16) : null;
  const pai = f & 16 ? sf() : null;
  return { ok: true, value: { spo2, pr, fast, slow, measurementStatus, deviceSensorStatus, pai } };
}

/** Deep equality with Object.is on numbers (so -0/+0 and NaN are told apart). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a); const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const rng = mulberry32;

describe('plx-continuous fast path equals the reference', () => {
  it('for every flag byte and every length 0..24 (random payloads)', () => {
    const rand = rng(0x2a5f);
    const bad: string[] = [];
    for (let f = 0; f < 256; f++) {
      for (let len = 1; len <= 24; len++) {
        for (let k = 0; k < 4; k++) {
          const b = new Uint8Array(len);
          b[0] = f;
          for (let i = 1; i < len; i++) b[i] = Math.floor(rand() * 256);
          const want = refDecode(b); const got = decodeContinuous(b);
          if (!same(got, want)) bad.push(`${Buffer.from(b).toString('hex')}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
        }
      }
    }
    expect(decodeContinuous(new Uint8Array(0))).toEqual({ ok: false, reason: 'short', at: 0 });
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('for frames full of special and boundary SFLOATs', () => {
    const raws = [0x0000, 0x07fe, 0x07ff, 0x0800, 0x0801, 0x0802, 0x17ff, 0xf800, 0x8001, 0x7fff, 0xffff, 0xf3c8, 0x0062];
    const bad: string[] = [];
    for (const a of raws) for (const c of raws) {
      const b = Uint8Array.of(0x1f, a & 0xff, a >> 8, c & 0xff, c >> 8, c & 0xff, c >> 8, a & 0xff, a >> 8, a & 0xff, a >> 8, c & 0xff, c >> 8, 0xff, 0xff, 0xff, 0xff, 0xff, a & 0xff, a >> 8);
      if (!same(decodeContinuous(b), refDecode(b))) bad.push(Buffer.from(b).toString('hex'));
    }
    expect(bad).toEqual([]);
  });

  it('keeps the carehub decode fields (contract §6) for the bench frames', () => {
    const codec = codecs.find((c) => c.name === 'plx-continuous')!;
    expect(codec.decode(encodeContinuous({ spo2: 97, pr: 72, measurementStatus: 0, deviceSensorStatus: 0, pai: 4.5 }), {})).toEqual({ ok: true, value: {
      spo2_pct: 97, pr_bpm: 72, spo2_fast_pct: null, pr_fast_bpm: null, spo2_slow_pct: null, pr_slow_bpm: null,
      measurement_status: 0, device_sensor_status: 0, pai_pct: 4.5, spo2_special: null, pr_special: null,
    } });
    expect(codec.decode(encodeContinuous({ spo2: 'nan', pr: 'nan', measurementStatus: 0x8000, deviceSensorStatus: 0x800 }), {})).toEqual({ ok: true, value: {
      spo2_pct: null, pr_bpm: null, spo2_fast_pct: null, pr_fast_bpm: null, spo2_slow_pct: null, pr_slow_bpm: null,
      measurement_status: 0x8000, device_sensor_status: 0x800, pai_pct: null, spo2_special: 'nan', pr_special: 'nan',
    } });
  });
});
