/**
 * 16-bit CRCs used by BLE health profiles.
 *
 * - CRC-16/MCRF4XX: polynomial 0x1021 processed LSB-first (0x8408 reflected), init 0xFFFF,
 *   reflected in and out, no final XOR. The CGMS E2E-CRC. Check value of "123456789": 0x6F91.
 * - CRC-16/CCITT-FALSE: polynomial 0x1021 MSB-first, init 0xFFFF, not reflected, no final XOR.
 *   Used by some vendor sensors instead of the CGMS variant. Check value of "123456789": 0x29B1.
 *
 * Both are sent little-endian (LSO first) at the end of the protected bytes.
 */
export type CrcVariant = 'mcrf4xx' | 'ccitt-false';

const TABLE_MCRF4XX = buildReflected(0x8408);
const TABLE_CCITT = buildNormal(0x1021);

function buildReflected(poly: number): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  return t;
}

function buildNormal(poly: number): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ poly) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
}

export function crc16Mcrf4xx(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (TABLE_MCRF4XX[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return crc & 0xffff;
}

export function crc16CcittFalse(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (TABLE_CCITT[((crc >>> 8) ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return crc & 0xffff;
}

export function crc16(variant: CrcVariant, bytes: Uint8Array, start = 0, end = bytes.length): number {
  return variant === 'mcrf4xx' ? crc16Mcrf4xx(bytes, start, end) : crc16CcittFalse(bytes, start, end);
}

/** True when the two bytes after `end - 2` hold, little-endian, the CRC of bytes [start, end - 2). */
export function crcTrailerValid(variant: CrcVariant, bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2) return false;
  const sent = (bytes[end - 2] ?? 0) | ((bytes[end - 1] ?? 0) << 8);
  return crc16(variant, bytes, start, end - 2) === sent;
}

/** Append the little-endian CRC of `bytes`. */
export function withCrc(variant: CrcVariant, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 2);
  out.set(bytes);
  const c = crc16(variant, bytes);
  out[bytes.length] = c & 0xff;
  out[bytes.length + 1] = c >>> 8;
  return out;
}
