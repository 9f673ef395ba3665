import { describe, expect, it } from 'vitest';
import { codecs } from '../../../drivers/oximeter-berrymed/codecs.js';
import { BerryFramer, encodeFrame } from '../../../drivers/oximeter-berrymed/codec.js';

const dec = (bytes: number[]) => codecs[0]!.decode(Uint8Array.from(bytes), {});
const FRAME = [
  0xd8, // sync bit, beep (0x40), has signal (0x10), signal strength 8
  0x3c, // pleth 60
  0x45, // bar graph 5, PR bit 7 set (0x40)
  0x04, // PR low 7 bits: 0x04 → PR = 0x80 | 0x04 = 132
  0x5f, // SpO2 95
];

describe('berrymed codec', () => {
  it('decodes a frame, including the pulse-rate high bit', () => {
    expect(dec(FRAME)).toEqual({ ok: true, value: {
      spo2_pct: 95, pr_bpm: 132, pleth: 60, finger_present: true, probe_unplugged: false, pulse_searching: false,
      signal_strength: 8, bar_graph: 5, beep: true,
    } });
  });

  it('maps the invalid markers (SpO2 127, PR 255) and finger-out to null / false', () => {
    expect(dec([
      0x80, // sync, no signal
      0x00, // pleth 0
      0x50, // no finger (0x10), PR bit 7 (0x40)
      0x7f, // PR low bits 0x7f → 255 = invalid
      0x7f, // SpO2 127 = invalid
    ])).toMatchObject({ ok: true, value: { spo2_pct: null, pr_bpm: null, finger_present: false } });
    expect(dec([0xa0, 0x00, 0x00, 0x00, 0x7f])).toMatchObject({ ok: true, value: { probe_unplugged: true, finger_present: false } });
  });

  it('rejects bad framing, length and SpO2 above 100', () => {
    expect(dec([0x58, 0x3c, 0x05, 0x48, 0x5f])).toEqual({ ok: false, reason: 'framing', at: 0 });
    expect(dec([0xd8, 0x3c, 0x85, 0x48, 0x5f])).toEqual({ ok: false, reason: 'framing', at: 2 });
    expect(dec([0xd8, 0x3c, 0x05, 0x48])).toEqual({ ok: false, reason: 'short', at: 4 });
    expect(dec([...FRAME, 0x00])).toEqual({ ok: false, reason: 'length', at: 5 });
    expect(dec([0xd8, 0x3c, 0x05, 0x48, 0x65])).toEqual({ ok: false, reason: 'range', at: 4 });
  });

  it('encodes what it decodes', () => {
    expect([...encodeFrame({ spo2: 95, pr: 132, pleth: 60, beep: true, barGraph: 5 })]).toEqual(FRAME);
  });
});

describe('berrymed framer', () => {
  const frames = (chunks: number[][]) => {
    const f = new BerryFramer();
    const out: number[][] = [];
    for (const c of chunks) f.push(Uint8Array.from(c), (fr) => out.push([...fr]));
    return { out, skipped: f.skipped };
  };
  it('one frame', () => expect(frames([FRAME])).toEqual({ out: [FRAME], skipped: 0 }));
  it('two frames in one chunk', () => expect(frames([[...FRAME, ...FRAME]]).out).toEqual([FRAME, FRAME]));
  it('a frame split across chunks', () => expect(frames([FRAME.slice(0, 2), FRAME.slice(2)]).out).toEqual([FRAME]));
  it('garbage before the sync byte is skipped', () => expect(frames([[0x01, 0x7f, ...FRAME]])).toEqual({ out: [FRAME], skipped: 2 }));
  it('a cut frame is abandoned at the next sync byte', () => expect(frames([[0xd8, 0x3c, ...FRAME]])).toEqual({ out: [FRAME], skipped: 2 }));
  it('buffers at most one frame of an endless run of data bytes', () => expect(frames([new Array(10_000).fill(0x11)])).toEqual({ out: [], skipped: 10_000 }));
});
