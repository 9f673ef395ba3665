import { describe, expect, it } from 'vitest';
import { readingId, stableId } from '../../src/core/ids.js';
import { readingToJson, type Reading } from '../../src/core/reading.js';
import { PayloadWriter } from '../../src/store/payload.js';
import { decodeCanonicalId, uidValue } from '../../src/store/uid.js';
import { reading } from './helpers.js';

const reference = (r: Reading): string => JSON.stringify(readingToJson(r));

describe('PayloadWriter', () => {
  it('writes exactly JSON.stringify(readingToJson(r)), ordinary and odd readings alike', () => {
    const w = new PayloadWriter();
    const id = readingId('oxi-1', 'spo2', '1');
    const cases: Reading[] = [
      reading(1, { id }),
      reading(2),
      reading(3, { flags: ['questionable', 'stored'], value: 97.25, mdc: null }),
      reading(4, { value: -0, t: 0, rx: 0 }),
      reading(5, { value: Number.NaN }),
      reading(6, { value: Number.POSITIVE_INFINITY, mdc: 1e21 }),
      reading(7, { value: 1e-7, samples: [1, 2.5, -3, Number.NaN], periodMs: 8, lane: 2 }),
      reading(8, { device: 'dev "quoted"\\\n\u2028\u0001', unit: 'mm[Hg]', metric: 'päß' }),
      reading(9, { id: 'with "quotes"' }),
      reading(10, { samples: [], periodMs: 0 }),
      reading(11, { t: Date.UTC(-5, 0, 1), rx: 8.64e15 }),
      // runtime oddities the types do not allow: the reference path is taken
      { ...reading(12), mdc: undefined } as unknown as Reading,
      { ...reading(13), device: undefined } as unknown as Reading,
      { ...reading(14), periodMs: '8' } as unknown as Reading,
      { ...reading(15), extra: 'ignored' } as unknown as Reading,
    ];
    for (const r of cases) {
      const safe = typeof r.id === 'string' && decodeCanonicalId(r.id, new Uint8Array(16));
      expect(w.write(r, safe)).toBe(reference(r));
      expect(w.write(r, safe)).toBe(reference(r)); // remembered strings and timestamps
    }
  });

  it('throws like the reference for an invalid time', () => {
    const r = reading(1, { t: Number.NaN });
    expect(() => new PayloadWriter().write(r, false)).toThrow(RangeError);
    expect(() => reference(r)).toThrow(RangeError);
  });
});

describe('uid codec', () => {
  it('decodes canonical ids to their 16 bytes and refuses anything else', () => {
    for (let i = 0; i < 2000; i++) {
      const id = i % 2 ? readingId('cgm-1', 'glucose', String(i)) : stableId('ev', String(i));
      const v = uidValue(id);
      expect(Buffer.isBuffer(v)).toBe(true);
      // re-encoding the bytes gives the id back: one-to-one
      expect(encode(v as Buffer)).toBe(id);
    }
    const id = readingId('a', 'b', 'c');
    for (const bad of ['', 'rid-1', id.toUpperCase(), `${id}0`, id.slice(1), `${id.slice(0, 25)}1`, `${id.slice(0, 10)}i${id.slice(11)}`, `${id.slice(0, 10)}é${id.slice(11)}`]) {
      expect(uidValue(bad)).toBe(bad);
    }
  });
});

function encode(bytes: Buffer): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  bits += '00';
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return out;
}
