import { ok, reject, type Decoded } from '../shared/codec.js';
import { CR, ESC, NAK, SOH, checksum, commandName } from './commands.js';

/** One slow-channel frame, checksum verified. `data` is what lies between code and checksum. */
export interface MedibusFrame {
  direction: 'command' | 'response';
  code: number;
  data: Uint8Array;
}

const HEXVAL = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10; // tolerate lower case from odd devices
  return -1;
};

/**
 * Decodes one complete slow-channel frame (start byte through CR, realtime bytes already
 * separated out). Pure: bad input is a typed reject with the byte offset.
 */
export function decodeFrame(b: Uint8Array): Decoded<MedibusFrame> {
  if (b.length < 1) return reject('short', 0);
  const start = b[0];
  if (start !== ESC && start !== SOH) return reject('framing', 0);
  if (b.length < 5) return reject('short', b.length);
  if (b[b.length - 1] !== CR) return reject('framing', b.length - 1);
  for (let i = 1; i < b.length - 1; i++) {
    const c = b[i] ?? 0;
    if (c >= 0x80 || c === ESC || c === SOH || c === CR) return reject('framing', i);
  }
  const hi = HEXVAL(b[b.length - 3] ?? 0);
  const lo = HEXVAL(b[b.length - 2] ?? 0);
  if (hi < 0 || lo < 0) return reject('checksum', b.length - 3);
  if (((hi << 4) | lo) !== checksum(b, 0, b.length - 3)) return reject('checksum', b.length - 3);
  return ok({
    direction: start === ESC ? 'command' : 'response',
    code: b[1] ?? 0,
    data: b.subarray(2, b.length - 3),
  });
}

export function isNak(f: MedibusFrame): boolean {
  return f.direction === 'response' && f.code === NAK;
}

export function dataText(f: MedibusFrame): string {
  return Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).toString('latin1');
}

/** A log line that names the frame instead of printing hex (never includes values). */
export function describeFrame(f: MedibusFrame): string {
  const dir = f.direction === 'command' ? 'cmd' : 'rsp';
  return `${dir} ${commandName(f.code)} (${f.data.length} data bytes)`;
}
