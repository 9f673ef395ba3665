import { ok, reject, type Decoded } from '../shared/codec.js';
import type { CrcVariant } from '../shared/crc.js';
import { annunciationNames } from './annunciations.js';
import { checkTrailer, maybeCrc, u16, type CrcState, type E2eOptions } from './e2e.js';

/**
 * CGM Feature (0x2AA8, 6 bytes: 24-bit features, type/sample-location nibbles, CRC — the CRC
 * field is always there and holds 0xFFFF or anything when bit 12 is clear), CGM Status (0x2AA9:
 * time offset, 24-bit status, optional CRC) and CGM Session Run Time (0x2AAB: hours, optional CRC).
 */
export const FEATURE_E2E_CRC = 1 << 12;

export interface CgmFeature {
  features: number;
  type: number;
  sampleLocation: number;
  crcSupported: boolean;
  crc: CrcState;
}

export function decodeFeature(b: Uint8Array, e2e: E2eOptions): Decoded<CgmFeature> {
  if (b.length < 6) return reject('short', b.length);
  if (b.length > 6) return reject('length', 6);
  const features = (b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16);
  const crcSupported = (features & FEATURE_E2E_CRC) !== 0;
  let crc: CrcState = 'absent';
  if (crcSupported) {
    const c = checkTrailer(b, 0, 6, e2e);
    if (!c) return reject('crc', 4);
    crc = c;
  }
  const tl = b[3] ?? 0;
  return ok({ features, type: tl & 0x0f, sampleLocation: tl >> 4, crcSupported, crc });
}

export function encodeFeature(features: number, type: number, location: number, crc: CrcVariant | null): Uint8Array {
  const body = Uint8Array.from([features & 0xff, (features >> 8) & 0xff, (features >> 16) & 0xff, (type & 0x0f) | ((location & 0x0f) << 4)]);
  if (crc && features & FEATURE_E2E_CRC) return maybeCrc(body, crc);
  return Uint8Array.from([...body, 0xff, 0xff]);
}

export interface CgmStatus {
  timeOffsetMin: number;
  status: number;
  crc: CrcState;
}

/** Validate a fixed-size characteristic with an optional CRC trailer. */
function sized(b: Uint8Array, bare: number, e2e: E2eOptions): Decoded<CrcState> {
  if (b.length < bare) return reject('short', b.length);
  if (b.length === bare) return e2e.required ? reject('crc', bare) : ok('absent');
  if (b.length !== bare + 2) return reject('length', bare);
  const c = checkTrailer(b, 0, bare + 2, e2e);
  return c ? ok(c) : reject('crc', bare);
}

export function decodeStatus(b: Uint8Array, e2e: E2eOptions): Decoded<CgmStatus> {
  const c = sized(b, 5, e2e);
  if (!c.ok) return c;
  return ok({ timeOffsetMin: u16(b, 0), status: (b[2] ?? 0) | ((b[3] ?? 0) << 8) | ((b[4] ?? 0) << 16), crc: c.value });
}

export function encodeStatus(timeOffsetMin: number, status: number, crc: CrcVariant | null): Uint8Array {
  return maybeCrc(Uint8Array.from([timeOffsetMin & 0xff, (timeOffsetMin >> 8) & 0xff, status & 0xff, (status >> 8) & 0xff, (status >> 16) & 0xff]), crc);
}

export function decodeRunTime(b: Uint8Array, e2e: E2eOptions): Decoded<{ hours: number; crc: CrcState }> {
  const c = sized(b, 2, e2e);
  if (!c.ok) return c;
  return ok({ hours: u16(b, 0), crc: c.value });
}

export function encodeRunTime(hours: number, crc: CrcVariant | null): Uint8Array {
  return maybeCrc(Uint8Array.from([hours & 0xff, (hours >> 8) & 0xff]), crc);
}

export function featureToJson(f: CgmFeature): Record<string, unknown> {
  return { features: f.features, type: f.type, sample_location: f.sampleLocation, crc_supported: f.crcSupported, crc: f.crc };
}

export function statusToJson(s: CgmStatus): Record<string, unknown> {
  return { time_offset_min: s.timeOffsetMin, status: s.status, annunciations: annunciationNames(s.status), crc: s.crc };
}

export { sized as decodeSized };
