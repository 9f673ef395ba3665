import { mulberry32 } from '../../src/core/prng.js';
import { describe, expect, it } from 'vitest';
import { codecs } from '../../drivers/cgm-cgms/codecs.js';
import { encodeRecord } from '../../drivers/cgm-cgms/codec-measurement.js';
import { encodeFeature, encodeStatus } from '../../drivers/cgm-cgms/codec-feature.js';
import { encodeSessionStartTime } from '../../drivers/cgm-cgms/codec-session.js';
import { decodeRacp } from '../../drivers/cgm-cgms/racp-cgm.js';
import type { CodecOptions } from '../../drivers/shared/codec.js';

/** Pin a failing run with CGM_FUZZ_SEED=<printed seed>. */
const SEED = Number(process.env.CGM_FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`cgm fuzz seed ${SEED} (pin with CGM_FUZZ_SEED=${SEED})`);

const prng = mulberry32;

const OPTS: CodecOptions[] = [{}, { crc: 'mcrf4xx' }, { crc: 'ccitt-false' }, { crc: 'none' }, { quirks: ['warning-first'] }];

function seeds(rnd: () => number): Uint8Array[] {
  const int = (n: number) => Math.floor(rnd() * n);
  return [
    encodeRecord({ glucoseMgDl: 40 + int(360), timeOffsetMin: int(20160), trendMgDlMin: rnd() * 6 - 3, qualityPct: int(100), annunciation: int(0xffffff) }, 'mcrf4xx'),
    encodeRecord({ glucoseMgDl: 40 + int(360), timeOffsetMin: int(20160) }, null),
    encodeFeature(int(0xffffff), int(16), int(16), 'mcrf4xx'),
    encodeStatus(int(0xffff), int(0xffffff), rnd() < 0.5 ? 'mcrf4xx' : null),
    encodeSessionStartTime(Date.UTC(2026, 0, 1) + int(1e10), int(97) - 48, [0, 2, 4, 8, 255][int(5)] ?? 0, null),
    Uint8Array.from([0x1c, 1 + int(27), 1 + int(5)]),
    Uint8Array.from([0x01, 0x03, 0x01, int(256), int(256)]),
  ];
}

function mutate(b: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  switch (int(5)) {
    case 0: { const c = b.slice(); if (c.length) c[int(c.length)] = int(256); return c; }
    case 1: { const c = b.slice(); if (c.length) { const i = int(c.length * 8); c[i >> 3] = (c[i >> 3] ?? 0) ^ (1 << (i & 7)); } return c; }
    case 2: return b.slice(0, int(b.length + 1));
    case 3: return Uint8Array.from([...b, ...Array.from({ length: 1 + int(8) }, () => int(256))]);
    default: return Uint8Array.from({ length: int(64) }, () => int(256));
  }
}

describe(`CGMS codec fuzz (seed ${SEED})`, () => {
  it('every codec returns a decode or a typed reject — never throws, never hangs', () => {
    const rnd = prng(SEED);
    const started = Date.now();
    let rejects = 0;
    for (let i = 0; i < 4_000; i++) {
      const pool = seeds(rnd);
      const input = mutate(pool[Math.floor(rnd() * pool.length)] ?? new Uint8Array(0), rnd);
      const opts = OPTS[Math.floor(rnd() * OPTS.length)] ?? {};
      for (const c of codecs) {
        let d;
        try { d = c.decode(input, opts); } catch (e) {
          throw new Error(`${c.name} threw on ${Buffer.from(input).toString('hex')} (seed ${SEED}, iteration ${i}): ${String(e)}`);
        }
        if (!d.ok) {
          rejects++;
          expect(typeof d.reason).toBe('string');
          expect(Number.isInteger(d.at) && d.at >= 0 && d.at <= input.length).toBe(true);
        } else {
          expect(JSON.parse(JSON.stringify(d.value))).toBeTypeOf('object');
        }
      }
      const r = decodeRacp(input);
      if (!r.ok) expect(r.at).toBeLessThanOrEqual(input.length);
    }
    expect(rejects).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a single flipped bit in a CRC-protected record is never accepted as the same record', () => {
    const rnd = prng(SEED ^ 0x5a5a);
    for (let i = 0; i < 2000; i++) {
      const rec = encodeRecord({ glucoseMgDl: 40 + Math.floor(rnd() * 360), timeOffsetMin: Math.floor(rnd() * 20160), trendMgDlMin: 1 }, 'mcrf4xx');
      const bit = Math.floor(rnd() * rec.length * 8);
      const bad = rec.slice();
      bad[bit >> 3] = (bad[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      const measurement = codecs.find((c) => c.name === 'cgm-measurement')!;
      const good = measurement.decode(rec, {});
      const d = measurement.decode(bad, {});
      expect(good.ok).toBe(true);
      if (d.ok && good.ok) expect(JSON.stringify(d.value)).not.toBe(JSON.stringify(good.value));
    }
  });
});
