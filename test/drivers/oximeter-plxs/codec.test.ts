import { describe, expect, it } from 'vitest';
import { codecs } from '../../../drivers/oximeter-plxs/codecs.js';
import { decodeContinuous, encodeContinuous, encodeSpotCheck, decodeSpotCheck } from '../../../drivers/oximeter-plxs/codec.js';

const codec = (name: string) => codecs.find((c) => c.name === name)!;
const dec = (name: string, bytes: number[]) => codec(name).decode(Uint8Array.from(bytes), {});

describe('plx-continuous', () => {
  it('decodes the normal SpO2/PR pair only', () => {
    expect(dec('plx-continuous', [
      0x00,       // flags: nothing optional
      0x61, 0x00, // SpO2 SFLOAT 97, exponent 0
      0x48, 0x00, // PR SFLOAT 72
    ])).toEqual({ ok: true, value: {
      spo2_pct: 97, pr_bpm: 72, spo2_fast_pct: null, pr_fast_bpm: null, spo2_slow_pct: null, pr_slow_bpm: null,
      measurement_status: null, device_sensor_status: null, pai_pct: null, spo2_special: null, pr_special: null,
    } });
  });

  it('decodes every optional field in order', () => {
    const r = dec('plx-continuous', [
      0x1f,             // flags: fast, slow, measurement status, device+sensor status, PAI
      0x62, 0x00,       // SpO2 98
      0x3c, 0x00,       // PR 60
      0x61, 0x00,       // fast SpO2 97
      0x3d, 0x00,       // fast PR 61
      0xc8, 0xf3,       // slow SpO2 0x3C8 × 10^-1 = 96.8
      0x3e, 0x00,       // slow PR 62
      0x40, 0x00,       // measurement status: bit 6 early estimate
      0x20, 0x08, 0x00, // device & sensor status: bit 5 low perfusion, bit 11 unconnected to user
      0x2d, 0xf0,       // PAI 45 × 10^-1 = 4.5 %
    ]);
    expect(r).toEqual({ ok: true, value: {
      spo2_pct: 98, pr_bpm: 60, spo2_fast_pct: 97, pr_fast_bpm: 61, spo2_slow_pct: 96.8, pr_slow_bpm: 62,
      measurement_status: 0x0040, device_sensor_status: 0x000820, pai_pct: 4.5, spo2_special: null, pr_special: null,
    } });
  });

  it('reports NaN and NRes SpO2/PR as null with the special', () => {
    const r = dec('plx-continuous', [
      0x00,
      0xff, 0x07, // SpO2 NaN
      0x00, 0x08, // PR NRes
    ]);
    expect(r).toMatchObject({ ok: true, value: { spo2_pct: null, spo2_special: 'nan', pr_bpm: null, pr_special: 'nres' } });
  });

  it('rejects truncated, over-long and reserved-flag frames', () => {
    expect(dec('plx-continuous', [])).toEqual({ ok: false, reason: 'short', at: 0 });
    expect(dec('plx-continuous', [0x00, 0x61, 0x00, 0x48])).toEqual({ ok: false, reason: 'short', at: 4 });
    expect(dec('plx-continuous', [0x04, 0x61, 0x00, 0x48, 0x00, 0x40])).toEqual({ ok: false, reason: 'short', at: 6 });
    expect(dec('plx-continuous', [0x00, 0x61, 0x00, 0x48, 0x00, 0x00])).toEqual({ ok: false, reason: 'length', at: 5 });
    expect(dec('plx-continuous', [0x20, 0x61, 0x00, 0x48, 0x00])).toEqual({ ok: false, reason: 'flags', at: 0 });
  });

  it('round-trips the encoder used by the simulator', () => {
    const b = encodeContinuous({ spo2: 93, pr: 88, measurementStatus: 0x4000, deviceSensorStatus: 0x8000, pai: 2.5 });
    const d = decodeContinuous(b);
    expect(d.ok && d.value.spo2.value).toBe(93);
    expect(d.ok && d.value.deviceSensorStatus).toBe(0x8000);
    expect(d.ok && d.value.pai?.value).toBe(2.5);
  });
});

describe('plx-spot-check', () => {
  it('decodes a timestamped record from storage', () => {
    expect(dec('plx-spot-check', [
      0x0b,                   // flags: timestamp, measurement status, PAI
      0x5f, 0x00,             // SpO2 95
      0x50, 0x00,             // PR 80
      0xea, 0x07,             // year 2026
      0x0b, 0x17,             // month 11, day 23
      0x0a, 0x0f, 0x02,       // 10:15:02
      0x00, 0x02,             // measurement status: bit 9 from measurement storage
      0x1e, 0xf0,             // PAI 3.0
    ])).toEqual({ ok: true, value: {
      spo2_pct: 95, pr_bpm: 80, timestamp: '2026-11-23T10:15:02', clock_not_set: false,
      measurement_status: 0x0200, device_sensor_status: null, pai_pct: 3, spo2_special: null, pr_special: null,
    } });
  });

  it('reports "device clock not set" and an unknown (zero) date as null', () => {
    expect(dec('plx-spot-check', [
      0x11,                                     // flags: timestamp, clock not set
      0x60, 0x00, 0x40, 0x00,                   // SpO2 96, PR 64
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // date time all zero = unknown
    ])).toMatchObject({ ok: true, value: { timestamp: null, clock_not_set: true } });
  });

  it('rejects out-of-range date fields, truncation and reserved flags', () => {
    const base = [0x01, 0x60, 0x00, 0x40, 0x00];
    expect(dec('plx-spot-check', [...base, 0xea, 0x07, 0x0d, 0x01, 0x00, 0x00, 0x00])).toEqual({ ok: false, reason: 'range', at: 7 }); // month 13 (the month byte)
    expect(dec('plx-spot-check', [...base, 0xea, 0x07, 0x01, 0x01, 0x18, 0x00, 0x00])).toEqual({ ok: false, reason: 'range', at: 9 }); // hour 24
    expect(dec('plx-spot-check', [...base, 0xea, 0x07, 0x01])).toEqual({ ok: false, reason: 'short', at: 8 });
    expect(dec('plx-spot-check', [0x40, 0x60, 0x00, 0x40, 0x00])).toEqual({ ok: false, reason: 'flags', at: 0 });
  });

  it('round-trips the encoder', () => {
    const t = { year: 2026, month: 2, day: 3, hours: 4, minutes: 5, seconds: 6 };
    const d = decodeSpotCheck(encodeSpotCheck({ spo2: 91, pr: 101, timestamp: t, deviceSensorStatus: 0x20 }));
    expect(d).toMatchObject({ ok: true, value: { timestamp: t, deviceSensorStatus: 0x20, clockNotSet: false } });
  });
});

describe('plx-features', () => {
  it('decodes supported features with both support masks', () => {
    expect(dec('plx-features', [
      0x4f, 0x00,       // supported: meas status, dev status, storage, timestamp, PAI
      0x40, 0xc2,       // measurement status support: bits 6, 9, 14, 15
      0x22, 0x88, 0x00, // device & sensor status support: bits 1, 5, 11, 15
    ])).toEqual({ ok: true, value: { supported_features: 0x4f, measurement_status_support: 0xc240, device_sensor_status_support: 0x008822 } });
  });

  it('rejects a features value whose support masks are missing (01 00 alone)', () => {
    expect(dec('plx-features', [0x01, 0x00])).toEqual({ ok: false, reason: 'short', at: 2 });
    expect(dec('plx-features', [0x00])).toEqual({ ok: false, reason: 'short', at: 1 });
    expect(dec('plx-features', [0x00, 0x01])).toEqual({ ok: false, reason: 'reserved', at: 1 });
    expect(dec('plx-features', [0x04, 0x00, 0x00])).toEqual({ ok: false, reason: 'length', at: 2 });
  });
});
