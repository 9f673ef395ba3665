import { ok, reject, type Decoded } from '../shared/codec.js';

/**
 * Pure codec of the BerryMed BM1000-family oximeter stream (BCI protocol over the ISSC/Microchip
 * transparent-UART service). Five-byte frames at ~100 Hz; only the first byte of a frame has
 * bit 7 set, which is how a receiver finds frame boundaries. Layout in PROTOCOL.md.
 */
export const BERRYMED = {
  service: '49535343fe7d4ae58fa99fafd205e455',
  notify: '495353431e4d4bd9ba6123c647249616',
  write: '49535343884143f4a8d4ecbe34729bb3',
} as const;

export const FRAME_LEN = 5;
export const SPO2_INVALID = 127;
export const PR_INVALID = 255;

export interface BerryFrame {
  signalStrength: number;
  hasSignal: boolean;
  probeUnplugged: boolean;
  beep: boolean;
  pleth: number;
  barGraph: number;
  fingerOut: boolean;
  searching: boolean;
  /** null for the invalid marker 255. */
  pr: number | null;
  /** null for the invalid marker 127. */
  spo2: number | null;
}

export function decodeFrame(b: Uint8Array): Decoded<BerryFrame> {
  if (b.length < FRAME_LEN) return reject('short', b.length);
  if (b.length > FRAME_LEN) return reject('length', FRAME_LEN);
  const b0 = b[0] ?? 0, b1 = b[1] ?? 0, b2 = b[2] ?? 0, b3 = b[3] ?? 0, b4 = b[4] ?? 0;
  if (!(b0 & 0x80)) return reject('framing', 0);
  for (let i = 1; i < FRAME_LEN; i++) if ((b[i] ?? 0) & 0x80) return reject('framing', i);
  const pr = ((b2 & 0x40) << 1) | b3;
  if (b4 > 100 && b4 !== SPO2_INVALID) return reject('range', 4);
  return ok({
    signalStrength: b0 & 0x0f, hasSignal: !!(b0 & 0x10), probeUnplugged: !!(b0 & 0x20), beep: !!(b0 & 0x40),
    pleth: b1, barGraph: b2 & 0x0f, fingerOut: !!(b2 & 0x10), searching: !!(b2 & 0x20),
    pr: pr === PR_INVALID ? null : pr,
    spo2: b4 === SPO2_INVALID ? null : b4,
  });
}

export interface FrameInput {
  spo2: number | null; pr: number | null; pleth: number;
  fingerOut?: boolean; probeUnplugged?: boolean; searching?: boolean; beep?: boolean; signalStrength?: number; barGraph?: number;
}

export function encodeFrame(f: FrameInput): Uint8Array {
  const pr = f.pr ?? PR_INVALID;
  const b0 = 0x80 | ((f.signalStrength ?? 8) & 0x0f) | (f.fingerOut || f.probeUnplugged ? 0 : 0x10) | (f.probeUnplugged ? 0x20 : 0) | (f.beep ? 0x40 : 0);
  const b2 = ((f.barGraph ?? 0) & 0x0f) | (f.fingerOut ? 0x10 : 0) | (f.searching ? 0x20 : 0) | ((pr & 0x80) >> 1);
  return Uint8Array.from([b0, Math.max(0, Math.min(100, Math.round(f.pleth))) & 0x7f, b2, pr & 0x7f, (f.spo2 ?? SPO2_INVALID) & 0x7f]);
}

/**
 * Finds frames in the byte stream (notifications split or join frames arbitrarily). A byte
 * with bit 7 starts a frame; bytes before the first start are skipped; a start byte inside a
 * partial frame abandons the partial one. Buffering is bounded to one frame.
 */
export class BerryFramer {
  private buf = new Uint8Array(FRAME_LEN);
  private n = 0;
  /** Bytes dropped while resynchronising (garbage, cut frames). */
  skipped = 0;

  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] ?? 0;
      if (byte & 0x80) {
        this.skipped += this.n;
        this.n = 0;
        this.buf[this.n++] = byte;
      } else if (this.n === 0) {
        this.skipped++;
        continue;
      } else {
        this.buf[this.n++] = byte;
      }
      if (this.n === FRAME_LEN) {
        onFrame(this.buf.slice());
        this.n = 0;
      }
    }
  }

  reset(): void { this.n = 0; }
}
