import { describe, expect, it } from 'vitest';
import { crc16, crc16CcittFalse, crc16Mcrf4xx, crcTrailerValid, withCrc } from '../../../drivers/shared/crc.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('CRC-16 variants (check values from the spec file)', () => {
  it('MCRF4XX catalogue check values', () => {
    expect(crc16Mcrf4xx(ascii('123456789'))).toBe(0x6f91);
    expect(crc16Mcrf4xx(ascii('A'))).toBe(0x5c0a);
    expect(crc16Mcrf4xx(Uint8Array.from([0x58, 0x25, 0x1f, 0x98]))).toBe(0x07f1);
  });

  it('CGMS spec worked example: 3E 01 02 .. 09 → 0x2F01, sent as 01 2F', () => {
    const data = Uint8Array.from([0x3e, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]);
    expect(crc16Mcrf4xx(data)).toBe(0x2f01);
    expect([...withCrc('mcrf4xx', data).slice(-2)]).toEqual([0x01, 0x2f]);
  });

  it('full record example: 0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 → 0x3F8E (ends 8E 3F)', () => {
    const rec = Uint8Array.from([0x0f, 0xe3, 0xd2, 0xe4, 0x05, 0x00, 0x02, 0x14, 0xff, 0x02, 0xf0, 0xe5, 0xf3]);
    expect(crc16('mcrf4xx', rec)).toBe(0x3f8e);
    const full = Uint8Array.from([...rec, 0x8e, 0x3f]);
    expect(crcTrailerValid('mcrf4xx', full, 0, full.length)).toBe(true);
    expect(crcTrailerValid('ccitt-false', full, 0, full.length)).toBe(false);
  });

  it('CCITT-FALSE check value and differs from MCRF4XX', () => {
    expect(crc16CcittFalse(ascii('123456789'))).toBe(0x29b1);
    expect(crc16('ccitt-false', ascii('A'))).not.toBe(0x5c0a);
  });

  it('a single flipped bit is detected; a too-short frame is never valid', () => {
    const f = withCrc('mcrf4xx', ascii('carehub'));
    for (let i = 0; i < f.length * 8; i++) {
      const g = f.slice();
      g[i >> 3] = (g[i >> 3] ?? 0) ^ (1 << (i & 7));
      expect(crcTrailerValid('mcrf4xx', g, 0, g.length)).toBe(false);
    }
    expect(crcTrailerValid('mcrf4xx', Uint8Array.from([0xff]), 0, 1)).toBe(false);
  });
});
