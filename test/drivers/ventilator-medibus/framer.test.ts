import { describe, expect, it } from 'vitest';
import type { MedibusFrame } from '../../../drivers/ventilator-medibus/codec.js';
import { MedibusFramer } from '../../../drivers/ventilator-medibus/framer.js';

function collect(max?: number) {
  const frames: MedibusFrame[] = [];
  const realtime: number[] = [];
  const rejects: { reason: string; at: number }[] = [];
  const f = new MedibusFramer({
    frame: (x) => frames.push({ ...x, data: Uint8Array.from(x.data) }),
    realtime: (b) => realtime.push(...b),
    reject: (reason, at) => rejects.push({ reason, at }),
  }, max);
  return { f, frames, realtime, rejects };
}

// ICC command: ESC 'Q' '6' 'C' CR (1B+51 = 6C)
const ICC = [0x1b, 0x51, 0x36, 0x43, 0x0d];
// ICC response: SOH 'Q' '5' '2' CR (01+51 = 52)
const ICC_RSP = [0x01, 0x51, 0x35, 0x32, 0x0d];
// NOP response: SOH '0' '3' '1' CR (01+30 = 31)
const NOP_RSP = [0x01, 0x30, 0x33, 0x31, 0x0d];

describe('MEDIBUS framer', () => {
  it('one frame', () => {
    const c = collect();
    c.f.push(Uint8Array.from(ICC));
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]).toMatchObject({ direction: 'command', code: 0x51 });
    expect(c.rejects).toEqual([]);
  });

  it('two frames in one chunk', () => {
    const c = collect();
    c.f.push(Uint8Array.from([...ICC_RSP, ...NOP_RSP]));
    expect(c.frames.map((x) => [x.direction, x.code])).toEqual([['response', 0x51], ['response', 0x30]]);
  });

  it('one frame split across chunks (byte by byte)', () => {
    const c = collect();
    for (const b of ICC_RSP) c.f.push(Uint8Array.from([b]));
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]?.code).toBe(0x51);
  });

  it('rejects a bad checksum at the checksum offset', () => {
    const c = collect();
    c.f.push(Uint8Array.from([0x01, 0x51, 0x35, 0x33, 0x0d])); // '53' instead of '52'
    expect(c.frames).toEqual([]);
    expect(c.rejects).toEqual([{ reason: 'checksum', at: 2 }]);
    c.f.push(Uint8Array.from(ICC_RSP)); // and recovers
    expect(c.frames).toHaveLength(1);
  });

  it('skips garbage before the start byte and reports it once', () => {
    const c = collect();
    c.f.push(Uint8Array.from([0x41, 0x42, 0x0d, 0x20, ...ICC_RSP]));
    expect(c.frames).toHaveLength(1);
    expect(c.rejects).toEqual([{ reason: 'framing', at: 0 }]);
  });

  it('separates realtime bytes (bit 7) interleaved inside a frame, and drops XON/XOFF', () => {
    const c = collect();
    // SOH 'Q' [D1 81 80] '5' [DC1] '2' [DC3] CR
    c.f.push(Uint8Array.from([0x01, 0x51, 0xd1, 0x81, 0x80, 0x35, 0x11, 0x32, 0x13, 0x0d]));
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]?.code).toBe(0x51);
    expect(c.realtime).toEqual([0xd1, 0x81, 0x80]);
    expect(c.f.counters.flowControl).toBe(2);
    expect(c.rejects).toEqual([]);
  });

  it('bounds an oversized frame without buffering it, then resynchronises', () => {
    const c = collect(64);
    const long = [0x01, 0x24, ...new Array<number>(10_000).fill(0x31), 0x0d];
    c.f.push(Uint8Array.from(long));
    expect(c.frames).toEqual([]);
    expect(c.rejects).toEqual([{ reason: 'length', at: 64 }]);
    c.f.push(Uint8Array.from(ICC_RSP));
    expect(c.frames).toHaveLength(1);
  });

  it('a new start byte inside a frame rejects the truncated one and keeps the new one', () => {
    const c = collect();
    c.f.push(Uint8Array.from([0x01, 0x24, 0x37, ...ICC_RSP]));
    expect(c.rejects.map((r) => r.reason)).toEqual(['framing']);
    expect(c.frames.map((x) => x.code)).toEqual([0x51]);
  });
});
