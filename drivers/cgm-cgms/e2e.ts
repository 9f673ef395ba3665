import type { CodecOptions } from '../shared/codec.js';
import { crcTrailerValid, withCrc, type CrcVariant } from '../shared/crc.js';

/**
 * How a CGMS codec treats the E2E-CRC.
 * - `variant`: which CRC to verify; `none` accepts the two CRC bytes without checking them.
 * - `required`: the device declared E2E-CRC support (CGM Feature bit 12), so a frame without
 *   one is rejected. Off for `carehub decode`, where presence is detected from the length.
 */
export interface E2eOptions {
  variant: CrcVariant | 'none';
  required: boolean;
}

export type CrcState = 'valid' | 'absent' | 'unchecked';

export function e2eFromCodecOptions(opts: CodecOptions, required = false): E2eOptions {
  return { variant: opts.crc ?? 'mcrf4xx', required: required && opts.crc !== 'none' };
}

/** Check the CRC trailer of bytes [start, end) when present. Returns null when the CRC is bad. */
export function checkTrailer(b: Uint8Array, start: number, end: number, e2e: E2eOptions): CrcState | null {
  if (e2e.variant === 'none') return 'unchecked';
  return crcTrailerValid(e2e.variant, b, start, end) ? 'valid' : null;
}

/** Append a CRC when the sender uses one. */
export function maybeCrc(bytes: Uint8Array, variant: CrcVariant | null): Uint8Array {
  return variant ? withCrc(variant, bytes) : bytes;
}

export function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}
