import { describe, expect, it } from 'vitest';
import { CODECS } from '../../../drivers/codecs.js';
import { decodeBpMeasurement, encodeBpMeasurement, toMmHg } from '../../../drivers/bp-bps/codec.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const decode = (codec: string, s: string) => CODECS.get(codec)!.decode(hex(s), {});

/** Vectors built field by field from the Blood Pressure Measurement / Feature layouts (PROTOCOL.md). */
describe('bp-measurement', () => {
  const FULL = [
    '1E', //          flags: b1 time stamp, b2 pulse rate, b3 user id, b4 measurement status; b0 = 0 → mmHg
    '78 00', //       systolic SFLOAT 120
    '50 00', //       diastolic SFLOAT 80
    'A5 F3', //       mean arterial pressure SFLOAT 933 × 10^-1 = 93.3
    'EA 07 0B 17 08 1E 00', // time stamp 2026-11-23 08:30:00
    '48 00', //       pulse rate SFLOAT 72
    '01', //          user id 1
    '0C 00', //       status: b2 irregular pulse, b3-4 = 01 pulse rate above the upper limit
  ].join(' ');

  it('decodes every field of a full mmHg measurement', () => {
    expect(decode('bp-measurement', FULL)).toEqual({ ok: true, value: {
      unit: 'mmHg', systolic: 120, diastolic: 80, mean_arterial_pressure: 93.3,
      systolic_special: null, diastolic_special: null, map_special: null,
      timestamp: '2026-11-23T08:30:00', pulse_rate_bpm: 72, user_id: 1, measurement_status: 12,
      body_movement: false, cuff_too_loose: false, irregular_pulse: true, pulse_rate_range: 'above_upper_limit', improper_position: false,
    } });
  });

  it('decodes a kPa measurement and converts it to mmHg for storage', () => {
    // 01 = kPa, no optional fields · 16.0 (A0 F0) · 10.7 (6B F0) · 12.4 (7C F0)
    const d = decodeBpMeasurement(hex('01 A0 F0 6B F0 7C F0'));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.value.unit).toBe('kPa');
    expect([toMmHg(d.value.systolic, 'kPa'), toMmHg(d.value.diastolic, 'kPa'), toMmHg(d.value.map, 'kPa')]).toEqual([120, 80.3, 93]);
  });

  it('an intermediate cuff pressure frame (diastolic and MAP NaN) decodes with nulls', () => {
    // 00 · cuff 150 (96 00) · NaN (FF 07) · NaN (FF 07)
    const d = decode('bp-measurement', '00 96 00 FF 07 FF 07');
    expect(d.ok && d.value).toMatchObject({ systolic: 150, diastolic: null, diastolic_special: 'nan', mean_arterial_pressure: null });
  });

  it('rejects truncated frames, extra bytes, RFU flags and impossible dates, with the offset', () => {
    const full = hex(FULL);
    for (let n = 0; n < full.length; n++) expect(decodeBpMeasurement(full.subarray(0, n)).ok, `length ${n}`).toBe(false);
    expect(decode('bp-measurement', `${FULL} 00`)).toEqual({ ok: false, reason: 'length', at: 19 });
    expect(decode('bp-measurement', '20 78 00 50 00 A5 F3')).toEqual({ ok: false, reason: 'flags', at: 0 });
    expect(decode('bp-measurement', '02 78 00 50 00 A5 F3 EA 07 0D 01 00 00 00')).toEqual({ ok: false, reason: 'range', at: 9 });
    expect(decode('bp-measurement', '02 78 00 50 00 A5 F3 EA 07 02 1F 00 00 00')).toEqual({ ok: false, reason: 'date', at: 10 });
  });

  it('encoder and decoder agree', () => {
    const f = encodeBpMeasurement({ systolic: 135, diastolic: 85, map: 101.7, pulse: 66, status: 0x21, timestamp: { year: 2026, month: 3, day: 29, hours: 2, minutes: 30, seconds: 0 } });
    const d = decodeBpMeasurement(f);
    expect(d.ok && [d.value.systolic.value, d.value.diastolic.value, d.value.map.value, d.value.pulse?.value, d.value.status]).toEqual([135, 85, 101.7, 66, 0x21]);
  });
});

describe('bp-feature', () => {
  it('decodes the supported features', () => {
    // 1F 00: body movement, cuff fit, irregular pulse, pulse rate range, position detection
    expect(decode('bp-feature', '1F 00')).toEqual({ ok: true, value: {
      features: 0x1f, body_movement_detection: true, cuff_fit_detection: true, irregular_pulse_detection: true,
      pulse_rate_range_detection: true, position_detection: true, multiple_bonds: false,
    } });
  });
  it('rejects a short or long feature', () => {
    expect(decode('bp-feature', '1F')).toEqual({ ok: false, reason: 'short', at: 1 });
    expect(decode('bp-feature', '1F 00 00')).toEqual({ ok: false, reason: 'length', at: 2 });
  });
});
