import { describe, expect, it } from 'vitest';
import { LANE_CLINICAL, LANE_HIGHRATE, type Reading } from '../../src/core/reading.js';
import { WAVE_MAX_DEVICES, WAVE_MAX_METRICS, WAVE_MAX_SAMPLES, WAVE_WINDOW_MS, WaveformTap } from '../../src/hub/waveform-tap.js';

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);

function wave(t: number, n: number, o: Partial<Reading> = {}): Reading {
  const samples = Array.from({ length: n }, (_, i) => i % 100);
  return { id: `w${t}`, device: 'oxi-2', kind: 'oximeter', metric: 'pleth', mdc: null, value: 0, unit: '1', t, rx: t, clock: 'hub', flags: [], lane: LANE_HIGHRATE, samples, periodMs: 40, ...o };
}

describe('waveform tap (the console live view)', () => {
  it('keeps the last 10 s of a 25 Hz pleth as one run of samples ending at the newest', () => {
    const tap = new WaveformTap();
    for (let s = 0; s < 30; s++) tap.offer(wave(T0 + s * 1000, 25)); // 30 one-second batches
    const w = tap.window('oxi-2')['pleth']!;
    expect(w.periodMs).toBe(40);
    expect(w.samples.length).toBeGreaterThanOrEqual(WAVE_WINDOW_MS / 40);
    expect(w.samples.length).toBeLessThanOrEqual(WAVE_WINDOW_MS / 40 + 25);
    expect(w.t0 + w.samples.length * 40).toBe(T0 + 30 * 1000); // ends where the newest batch ends
  });

  it('clinical readings and readings without samples pass by', () => {
    const tap = new WaveformTap();
    tap.offer(wave(T0, 25, { lane: LANE_CLINICAL }));
    tap.offer(wave(T0, 0));
    tap.offer(wave(T0, 25, { periodMs: 0 }));
    expect(tap.window('oxi-2')).toEqual({});
  });

  it('a gap (lost link) starts the shown run after it; a clock step backwards starts afresh', () => {
    const tap = new WaveformTap();
    tap.offer(wave(T0, 25));
    tap.offer(wave(T0 + 5_000, 25)); // 4 s missing
    expect(tap.window('oxi-2')['pleth']).toMatchObject({ t0: T0 + 5_000 });
    expect(tap.window('oxi-2')['pleth']!.samples).toHaveLength(25);
    tap.offer(wave(T0 - 60_000, 25));
    expect(tap.window('oxi-2')['pleth']).toMatchObject({ t0: T0 - 60_000 });
  });

  it('every dimension is bounded: samples per waveform, waveforms per device, devices', () => {
    const tap = new WaveformTap();
    tap.offer(wave(T0, 10_000, { periodMs: 1 })); // one oversized batch
    expect(tap.window('oxi-2')['pleth']!.samples).toHaveLength(WAVE_MAX_SAMPLES);
    for (let s = 0; s < 50; s++) tap.offer(wave(T0 + s * 1000, 250, { periodMs: 4, metric: 'paw' })); // 250 Hz
    expect(tap.window('oxi-2')['paw']!.samples.length).toBeLessThanOrEqual(WAVE_MAX_SAMPLES);
    for (let m = 0; m < WAVE_MAX_METRICS + 3; m++) tap.offer(wave(T0, 5, { metric: `m${m}` }));
    expect(Object.keys(tap.window('oxi-2'))).toHaveLength(WAVE_MAX_METRICS);
    for (let d = 0; d < WAVE_MAX_DEVICES + 3; d++) tap.offer(wave(T0, 5, { device: `dev-${d}` }));
    expect(tap.window(`dev-${WAVE_MAX_DEVICES + 2}`)).toEqual({});
    tap.forget('oxi-2');
    expect(tap.window('oxi-2')).toEqual({});
  });
});
