import { createHash } from 'node:crypto';

/**
 * Deterministic reading id: the same measurement (same device, metric and device-side key)
 * always gets the same id, across re-reads, backfills and restarts, so the backend can
 * de-duplicate on it. 128 bits of SHA-256, base32hex-like lowercase, 26 characters.
 */
export function readingId(device: string, metric: string, key: string): string {
  const h = createHash('sha256').update(device).update('\u0000').update(metric).update('\u0000').update(key).digest();
  return toBase32(h.subarray(0, 16));
}

/** Id for an alarm event or instance; random parts are supplied by the caller when needed. */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return toBase32(h.digest().subarray(0, 16));
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
