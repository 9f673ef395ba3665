import type { RejectReason } from '../shared/codec.js';
import { CR, DC1, DC3, ESC, SOH } from './commands.js';
import { decodeFrame, type MedibusFrame } from './codec.js';

export interface FramerSink {
  /** A complete slow-channel frame with a valid checksum. */
  frame(f: MedibusFrame): void;
  /** The realtime-channel bytes (bit 7 set) of one received chunk, in order. */
  realtime(bytes: Uint8Array): void;
  /** Bytes that did not make a frame: reason, stream offset, hex (for the debug log). */
  reject(reason: RejectReason, at: number, hex: string): void;
}

export interface FramerCounters {
  frames: number;
  rejects: number;
  flowControl: number;
  garbageBytes: number;
}

/** Longest slow frame accepted; a full CP1 answer is well under 1 KiB. */
export const MAX_FRAME = 2048;

/**
 * Splits a MEDIBUS byte stream. Every byte is first sorted by bit 7: set → realtime channel,
 * clear → slow channel (with XON/XOFF dropped). Slow bytes are cut into frames from ESC/SOH
 * to CR and checked; anything else is reported as a reject, and a frame that outgrows
 * `maxFrame` is dropped without buffering further.
 */
export class MedibusFramer {
  private readonly buf: Uint8Array;
  private len = 0;
  private state: 'idle' | 'frame' | 'skip' = 'idle';
  private offset = 0;
  private frameAt = 0;
  private garbageAt = -1;
  private garbageLen = 0;
  readonly counters: FramerCounters = { frames: 0, rejects: 0, flowControl: 0, garbageBytes: 0 };

  constructor(private readonly sink: FramerSink, private readonly maxFrame = MAX_FRAME) {
    this.buf = new Uint8Array(maxFrame);
  }

  push(chunk: Uint8Array): void {
    let rt: number[] | null = null;
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const c = chunk[i] ?? 0;
      if (c & 0x80) { (rt ??= []).push(c); continue; }
      if (c === DC1 || c === DC3) { this.counters.flowControl++; continue; }
      this.slow(c);
    }
    if (rt) this.sink.realtime(Uint8Array.from(rt));
  }

  /** Drops a partial frame (e.g. after the link was re-opened). */
  reset(): void {
    this.len = 0;
    this.state = 'idle';
    this.flushGarbage();
  }

  private slow(c: number): void {
    if (c === ESC || c === SOH) {
      if (this.state === 'frame') this.rejectPartial('framing');
      this.flushGarbage();
      this.state = 'frame';
      this.frameAt = this.offset;
      this.len = 0;
      this.buf[this.len++] = c;
      return;
    }
    if (this.state === 'skip') {
      if (c === CR) this.state = 'idle';
      return;
    }
    if (this.state === 'idle') {
      if (this.garbageAt < 0) this.garbageAt = this.offset;
      this.garbageLen++;
      this.counters.garbageBytes++;
      return;
    }
    if (this.len >= this.maxFrame) {
      this.rejectPartial('length');
      this.state = c === CR ? 'idle' : 'skip';
      return;
    }
    this.buf[this.len++] = c;
    if (c !== CR) return;
    const raw = this.buf.slice(0, this.len);
    this.state = 'idle';
    this.len = 0;
    const d = decodeFrame(raw);
    if (d.ok) {
      this.counters.frames++;
      this.sink.frame(d.value);
    } else {
      this.counters.rejects++;
      this.sink.reject(d.reason, this.frameAt + d.at, hexOf(raw));
    }
  }

  private rejectPartial(reason: RejectReason): void {
    this.counters.rejects++;
    this.sink.reject(reason, this.frameAt + this.len, hexOf(this.buf.subarray(0, this.len)));
    this.len = 0;
  }

  private flushGarbage(): void {
    if (this.garbageLen === 0) return;
    this.counters.rejects++;
    this.sink.reject('framing', this.garbageAt, `${this.garbageLen} bytes before a start byte`);
    this.garbageAt = -1;
    this.garbageLen = 0;
  }
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 64)).toString('hex') + (b.length > 64 ? '…' : '');
}
