/**
 * Codec results: malformed input is data, not an exception. A decoder returns either the
 * decoded value or a typed reject with the reason and the byte offset where it went wrong.
 */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; at: number };

export type RejectReason =
  | 'short'
  | 'length'
  | 'crc'
  | 'checksum'
  | 'reserved'
  | 'opcode'
  | 'flags'
  | 'range'
  | 'date'
  | 'framing'
  | 'format';

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function reject<T = never>(reason: RejectReason, at: number): Decoded<T> {
  return { ok: false, reason, at };
}

/** Options of `carehub decode` that some codecs honour (contract §6). */
export interface CodecOptions {
  crc?: 'mcrf4xx' | 'ccitt-false' | 'none';
  quirks?: string[];
}

/** One entry of the `carehub decode` registry. `decode` returns the printed fields. */
export interface Codec {
  name: string;
  description: string;
  /** The `--quirk` names this codec honours (the CLI refuses any quirk no codec knows). */
  quirks?: readonly string[];
  decode(bytes: Uint8Array, opts: CodecOptions): Decoded<Record<string, unknown>>;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
