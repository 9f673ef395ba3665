/**
 * The stored form of an outbox `uid` (reading id / alarm event id).
 *
 * carehub ids (src/core/ids.ts) are 128 bits written as 26 lowercase base32 characters. The
 * UNIQUE index on `uid` is the main cost of an insert (random keys: every commit rewrites index
 * pages all over the tree), so a canonical id is stored as its 16 bytes (a BLOB): index entries
 * shrink from ~32 to ~22 bytes. The payload keeps the string id; nothing reads `uid` back.
 *
 * Only a string that decodes AND re-encodes to itself is stored as a BLOB (26 characters of the
 * alphabet, the 2 trailing pad bits zero), so the mapping is one-to-one. Any other id is stored
 * as TEXT unchanged. SQLite never considers a TEXT value equal to a BLOB, so the two forms cannot
 * collide: the uniqueness of ids is exactly the uniqueness of stored uids.
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
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < ID_CHARS; i++) {
    const c = id.charCodeAt(i);
    const v = c < 128 ? DIGIT[c]! : -1;
    if (v < 0) return false;
    acc = ((acc << 5) | v) & 0x1fff; // at most 12 pending bits + 5 new: 13 bits are enough
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // 26 x 5 = 130 bits: 16 bytes plus 2 pad bits, which the encoder leaves at zero
  return o === UID_BYTES && bits === 2 && (acc & 0b11) === 0;
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
