import type { MderValue } from './sfloat.js';
import { sfloatFromRaw } from './sfloat.js';

/**
 * A little-endian cursor over a frame whose length the caller has already checked against the
 * flags (so every read is in bounds; a missing byte would read as 0, never throw). Shared by the
 * BPS, WSS and GLS codecs.
 */
export class ByteReader {
  constructor(readonly b: Uint8Array, public at = 0) {}
  u8(): number { return this.b[this.at++] ?? 0; }
  u16(): number { const v = (this.b[this.at] ?? 0) | ((this.b[this.at + 1] ?? 0) << 8); this.at += 2; return v; }
  s16(): number { const v = this.u16(); return v >= 0x8000 ? v - 0x10000 : v; }
  u32(): number { const v = this.u16(); return (v + this.u16() * 0x10000) >>> 0; }
  sfloat(): MderValue { return sfloatFromRaw(this.u16()); }
}

/** Little-endian bytes of a u16 (encoders: simulators, tests). */
export const u16le = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
