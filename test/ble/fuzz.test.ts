import { describe, expect, it } from 'vitest';
import { codecs as plx } from '../../drivers/oximeter-plxs/codecs.js';
import { codecs as berry } from '../../drivers/oximeter-berrymed/codecs.js';
import { BerryFramer } from '../../drivers/oximeter-berrymed/codec.js';

/** Random bytes never throw or hang: a decoded value or a typed reject. Pin with FUZZ_SEED=<n>. */
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`ble codec fuzz seed: ${seed} (rerun with FUZZ_SEED=${seed})`);

function rng(s: number): () => number {
  let x = s >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

describe(`BLE oximetry codecs fuzz (seed ${seed})`, () => {
  it('never throws on random input', () => {
    const r = rng(seed);
    const framer = new BerryFramer();
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(r() * 24);
      const b = new Uint8Array(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(r() * 256);
      if (len > 0 && r() < 0.5) b[0] = (b[0] ?? 0) & 0x1f; // valid flags half the time, to reach the deep paths
      for (const c of [...plx, ...berry]) {
        const d = c.decode(b, {});
        expect(typeof d.ok).toBe('boolean');
        if (!d.ok) { expect(typeof d.reason).toBe('string'); expect(d.at).toBeGreaterThanOrEqual(0); expect(d.at).toBeLessThanOrEqual(len); }
      }
      framer.push(b, (f) => expect(f.length).toBe(5));
    }
  });
});
