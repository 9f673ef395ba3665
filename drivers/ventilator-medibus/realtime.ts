import type { RealtimeStreamConfig } from './records.js';

/**
 * The MEDIBUS realtime channel (bytes with bit 7 set): sync bytes 0xD0-0xDF (low nibble =
 * which of streams 1-4 carry a value in this cycle), sync commands 0xC0-0xCF each followed
 * by one argument byte 0xC0|flags, and 2-byte data values 10xxxxxx 10xxxxxx (low 6 bits first).
 * Streams are numbered 1..12 in the order the host configured them with command 0x54.
 */
export interface RealtimeSink {
  sample(stream: number, raw: number): void;
  /** Sync command C6: start of an inspiration (false) or expiration (true). */
  phase?(expiration: boolean): void;
  /** Sync commands C1/C2/C3 (host → device): enable streams 1-4 / 5-8 / 9-12. */
  enable?(group: 1 | 2 | 3, mask: number): void;
  /** Sync command CF, or a data value that fits no announced stream. */
  corrupt?(): void;
}

export class RealtimeDecoder {
  private order: number[] = [];
  private idx = 0;
  private lo = -1;
  private pending = -1;
  /** Data bytes that belonged to no announced stream. */
  unexpected = 0;

  constructor(private readonly sink: RealtimeSink) {}

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i] ?? 0);
  }

  private byte(b: number): void {
    if (b >= 0xd0 && b <= 0xdf) {
      this.order.length = 0;
      for (let s = 0; s < 4; s++) if (b & (1 << s)) this.order.push(s + 1);
      this.idx = 0;
      this.lo = -1;
      this.pending = -1;
      return;
    }
    if (b >= 0xc0 && b <= 0xcf) {
      if (this.pending < 0) { this.pending = b; return; }
      this.command(this.pending, b & 0x0f);
      this.pending = -1;
      return;
    }
    if (b >= 0x80 && b <= 0xbf) {
      if (this.lo < 0) { this.lo = b & 0x3f; return; }
      const raw = this.lo | ((b & 0x3f) << 6);
      this.lo = -1;
      const stream = this.order[this.idx++];
      if (stream === undefined) { this.unexpected++; this.sink.corrupt?.(); return; }
      this.sink.sample(stream, raw);
      return;
    }
    // 0xE0-0xFF are not used by the protocol: a corrupt byte; resynchronise on the next sync.
    this.unexpected++;
    this.order.length = 0;
    this.lo = -1;
  }

  private command(cmd: number, arg: number): void {
    switch (cmd) {
      case 0xc1: this.sink.enable?.(1, arg); break;
      case 0xc2: this.sink.enable?.(2, arg); break;
      case 0xc3: this.sink.enable?.(3, arg); break;
      case 0xc4: for (let s = 0; s < 4; s++) if (arg & (1 << s)) this.order.push(s + 5); break;
      case 0xc5: for (let s = 0; s < 4; s++) if (arg & (1 << s)) this.order.push(s + 9); break;
      case 0xc6: this.sink.phase?.((arg & 1) === 1); break;
      case 0xcf: this.sink.corrupt?.(); break;
      default: break; // C0 end of sequence, others reserved
    }
  }
}

/** Physical value of a raw 12-bit sample: min + raw/maxbin · (max − min). */
export function scaleRaw(raw: number, c: RealtimeStreamConfig): number {
  return c.min + (raw / c.maxbin) * (c.max - c.min);
}

/** Inverse of scaleRaw, clamped (simulator). */
export function toRaw(v: number, c: RealtimeStreamConfig): number {
  const r = Math.round(((v - c.min) / (c.max - c.min)) * c.maxbin);
  return Math.max(0, Math.min(c.maxbin, Math.min(4095, r)));
}

/** One realtime cycle: sync byte(s) then the values of the given streams in ascending order. */
export function encodeCycle(values: ReadonlyMap<number, number>): Uint8Array {
  const streams = [...values.keys()].filter((s) => s >= 1 && s <= 12).sort((a, b) => a - b);
  let m1 = 0; let m2 = 0; let m3 = 0;
  for (const s of streams) {
    if (s <= 4) m1 |= 1 << (s - 1); else if (s <= 8) m2 |= 1 << (s - 5); else m3 |= 1 << (s - 9);
  }
  const out: number[] = [0xd0 | m1];
  if (m2) out.push(0xc4, 0xc0 | m2);
  if (m3) out.push(0xc5, 0xc0 | m3);
  for (const s of streams) {
    const raw = (values.get(s) ?? 0) & 0xfff;
    out.push(0x80 | (raw & 0x3f), 0x80 | ((raw >> 6) & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Sync command C6: start of inspiration or expiration. */
export function encodePhase(expiration: boolean): Uint8Array {
  return Uint8Array.from([0xc6, 0xc0 | (expiration ? 1 : 0)]);
}

/** Host sync enable sequence for streams 1..n (bit per stream), as OpenICE sends it. */
export function encodeEnable(streams: number[]): Uint8Array {
  let m1 = 0; let m2 = 0; let m3 = 0;
  for (const s of streams) {
    if (s >= 1 && s <= 4) m1 |= 1 << (s - 1); else if (s <= 8) m2 |= 1 << (s - 5); else if (s <= 12) m3 |= 1 << (s - 9);
  }
  return Uint8Array.from([0xd0, 0xc3, 0xc0 | m3, 0xc2, 0xc0 | m2, 0xc1, 0xc0 | m1, 0xc0, 0xc0]);
}
