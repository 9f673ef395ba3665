/**
 * The uniqueness key `uk` of an outbox row's id (reading id / alarm event id).
 *
 * carehub ids (src/core/ids.ts) are 128 bits written as 26 lowercase base32 characters. The
 * UNIQUE index on the id is the main cost of an insert (random keys: every commit rewrites index
 * pages all over the tree), so the index is on the id's 16 bytes (a BLOB) instead of its text:
 * index entries shrink from ~32 to ~22 bytes. The `uid` column keeps the text, unindexed.
 *
 * Only a string that decodes AND re-encodes to itself becomes a BLOB (26 characters of the
 * alphabet, the 2 trailing pad bits zero), so the mapping is one-to-one. Any other id is its own
 * key, as TEXT. SQLite never considers a TEXT value equal to a BLOB, so the two forms cannot
 * collide: the uniqueness of keys is exactly the uniqueness of ids.
 */

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_CHARS = 26;
export const UID_BYTES = 16;

const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes a canonical id into `out` (16 bytes). Returns false, with `out` in an unspecified
 * state, when `id` is not a canonical 26-character id.
 */
export function decodeCanonicalId(id: string, out: Uint8Array): boolean {
  if (id.length !== ID_CHARS) return false;
  // three groups of 8 characters (40 bits = 5 bytes, as two 20-bit halves), then 2 characters
  // (10 bits = 1 byte + 2 pad bits)
  let o = 0;
  for (let g = 0; g < 24; g += 8) {
    const a = quad(id, g);
    const b = quad(id, g + 4);
    if (a < 0 || b < 0) return false;
    out[o] = a >>> 12;
    out[o + 1] = (a >>> 4) & 0xff;
    out[o + 2] = ((a & 0xf) << 4) | (b >>> 16);
    out[o + 3] = (b >>> 8) & 0xff;
    out[o + 4] = b & 0xff;
    o += 5;
  }
  const hi = digit(id.charCodeAt(24));
  const lo = digit(id.charCodeAt(25));
  if (hi < 0 || lo < 0 || (lo & 0b11) !== 0) return false;
  out[15] = (hi << 3) | (lo >>> 2);
  return true;
}

function digit(c: number): number {
  return c < 128 ? DIGIT[c]! : -1;
}

/** 4 characters as a 20-bit number, or -1 when one is not a digit of the alphabet. */
function quad(id: string, i: number): number {
  const a = digit(id.charCodeAt(i));
  const b = digit(id.charCodeAt(i + 1));
  const c = digit(id.charCodeAt(i + 2));
  const d = digit(id.charCodeAt(i + 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 15) | (b << 10) | (c << 5) | d;
}

/**
 * Returns the value to bind for `uid`: a Buffer for a canonical id, else the string itself.
 * Reuses one scratch Buffer per encoder (better-sqlite3 copies a bound blob), so bind the result
 * before calling `key()` again.
 */
export class UidEncoder {
  private readonly scratch = Buffer.alloc(UID_BYTES);

  key(id: string): Buffer | string {
    return decodeCanonicalId(id, this.scratch) ? this.scratch : id;
  }
}

/** Like UidEncoder.key, with a fresh Buffer (for an SQL function used by the migration). */
export function uidValue(id: string): Buffer | string {
  const out = Buffer.alloc(UID_BYTES);
  return decodeCanonicalId(id, out) ? out : id;
}
