import { describe, expect, it } from 'vitest';
import { codecs as bpCodecs } from '../../drivers/bp-bps/codecs.js';
import { encodeBpFeature, encodeBpMeasurement } from '../../drivers/bp-bps/codec.js';
import { codecs as glucoseCodecs } from '../../drivers/glucose-gls/codecs.js';
import { encodeGlucoseContext, encodeGlucoseMeasurement } from '../../drivers/glucose-gls/codec.js';
import { racpCodec } from '../../drivers/shared/racp.js';
import { codecs as weightCodecs } from '../../drivers/weight-wss/codecs.js';
import { encodeWeightFeature, encodeWeightMeasurement } from '../../drivers/weight-wss/codec.js';
import { mulberry32 } from '../../src/core/prng.js';

/** Pin a failing run with BLE_HEALTH_FUZZ_SEED=<printed seed>. */
const SEED = Number(process.env.BLE_HEALTH_FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`bp/weight/glucose fuzz seed ${SEED} (pin with BLE_HEALTH_FUZZ_SEED=${SEED})`);

const CODECS = [...bpCodecs, ...weightCodecs, ...glucoseCodecs, racpCodec];

function seeds(rnd: () => number): Uint8Array[] {
  const int = (n: number) => Math.floor(rnd() * n);
  const ts = { year: 2000 + int(40), month: 1 + int(12), day: 1 + int(28), hours: int(24), minutes: int(60), seconds: int(60) };
  return [
    encodeBpMeasurement({ kpa: rnd() < 0.3, systolic: 80 + int(140), diastolic: 40 + int(80), map: 60 + int(80), timestamp: ts, pulse: 40 + int(100), userId: int(256), status: int(0x10000) }),
    encodeBpFeature(int(0x10000)),
    encodeWeightMeasurement({ kg: rnd() < 0.1 ? null : 30 + rnd() * 150, imperial: rnd() < 0.3, timestamp: ts, userId: int(256), bmi: 15 + rnd() * 30, heightM: 1.4 + rnd() * 0.6 }),
    encodeWeightFeature({ timestamp: true, multipleUsers: rnd() < 0.5, bmi: true, weightResolution: int(8), heightResolution: int(4) }),
    encodeGlucoseMeasurement({ sequence: int(0x10000), baseTime: ts, timeOffsetMin: int(0x10000) - 0x8000, mgdl: 20 + int(580), type: int(16), location: int(16), status: int(0x10000), contextFollows: rnd() < 0.5 }),
    encodeGlucoseContext({ sequence: int(0x10000), meal: int(8), hba1c: rnd() * 15 }),
    Uint8Array.from([0xff, int(256), int(256), ...Array.from({ length: 14 }, () => int(256))]),
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
    default: return Uint8Array.from({ length: int(40) }, () => int(256));
  }
}

describe(`BPS / WSS / GLS codec fuzz (seed ${SEED})`, () => {
  it('every codec returns a decode or a typed reject with an offset inside the frame — never throws', () => {
    const rnd = mulberry32(SEED);
    let rejects = 0;
    let decoded = 0;
    for (let i = 0; i < 4_000; i++) {
      const pool = seeds(rnd);
      const input = mutate(pool[Math.floor(rnd() * pool.length)] ?? new Uint8Array(0), rnd);
      for (const c of CODECS) {
        let d;
        try { d = c.decode(input, {}); } catch (e) {
          throw new Error(`${c.name} threw on ${Buffer.from(input).toString('hex')} (seed ${SEED}, iteration ${i}): ${String(e)}`);
        }
        if (!d.ok) {
          rejects++;
          expect(Number.isInteger(d.at) && d.at >= 0 && d.at <= input.length).toBe(true);
        } else {
          decoded++;
          expect(JSON.parse(JSON.stringify(d.value))).toBeTypeOf('object');
        }
      }
    }
    expect(rejects).toBeGreaterThan(0);
    expect(decoded).toBeGreaterThan(0);
  });
});
