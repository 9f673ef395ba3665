import { describe, expect, it } from 'vitest';
import { RealtimeDecoder, encodeCycle, encodeEnable, encodePhase, scaleRaw, toRaw } from '../../../drivers/ventilator-medibus/realtime.js';
import { chooseStreams, configureArgs } from '../../../drivers/ventilator-medibus/waveforms.js';

function decoder() {
  const samples: [number, number][] = [];
  const phases: boolean[] = [];
  const enables: [number, number][] = [];
  const d = new RealtimeDecoder({
    sample: (s, raw) => samples.push([s, raw]),
    phase: (e) => phases.push(e),
    enable: (g, m) => enables.push([g, m]),
  });
  return { d, samples, phases, enables };
}

describe('MEDIBUS realtime channel', () => {
  it('decodes a sync byte and two 12-bit values', () => {
    const x = decoder();
    x.d.push(Uint8Array.from([
      0xd3, // sync: streams 1 and 2 follow
      0x80 | 0x05, 0x80 | 0x01, // stream 1: raw = 5 | 1<<6 = 69
      0x80 | 0x3f, 0x80 | 0x3f, // stream 2: raw = 4095
    ]));
    expect(x.samples).toEqual([[1, 69], [2, 4095]]);
  });

  it('round-trips cycles including streams 5-8 announced by sync command C4', () => {
    const x = decoder();
    x.d.push(encodeCycle(new Map([[1, 100], [6, 2000], [3, 7]])));
    expect(x.samples).toEqual([[1, 100], [3, 7], [6, 2000]]);
  });

  it('breath phase markers and the host enable sequence', () => {
    const x = decoder();
    x.d.push(encodePhase(false));
    x.d.push(encodePhase(true));
    expect(x.phases).toEqual([false, true]);
    const en = encodeEnable([1, 2, 3]);
    expect([...en]).toEqual([0xd0, 0xc3, 0xc0, 0xc2, 0xc0, 0xc1, 0xc7, 0xc0, 0xc0]);
    x.d.push(en);
    expect(x.enables).toEqual([[3, 0], [2, 0], [1, 7]]);
  });

  it('data that belongs to no announced stream is counted, not emitted', () => {
    const x = decoder();
    x.d.push(Uint8Array.from([0xd1, 0x81, 0x81, 0x82, 0x82]));
    expect(x.samples).toEqual([[1, 65]]);
    expect(x.d.unexpected).toBe(1);
  });

  it('scales raw values with min/max/maxbin', () => {
    const cfg = { code: 0, intervalUs: 8000, min: -20, max: 100, maxbin: 4095 };
    expect(scaleRaw(0, cfg)).toBe(-20);
    expect(scaleRaw(4095, cfg)).toBe(100);
    expect(scaleRaw(toRaw(18, cfg), cfg)).toBeCloseTo(18, 1);
  });

  it('chooses waveform streams and multipliers for the requested rate', () => {
    const s = chooseStreams([
      { code: 0x00, intervalUs: 8000, min: -20, max: 100, maxbin: 4095 },
      { code: 0x02, intervalUs: 8000, min: 0, max: 100, maxbin: 4095 }, // pleth: not a ventilator waveform here
      { code: 0x01, intervalUs: 8000, min: -300, max: 300, maxbin: 4095 },
    ], 25);
    expect(s.map((x) => [x.stream, x.metric, x.multiplier])).toEqual([[1, 'paw_waveform', 5], [2, 'flow_waveform', 5]]);
    expect(configureArgs(s)).toBe('00050105');
  });
});
