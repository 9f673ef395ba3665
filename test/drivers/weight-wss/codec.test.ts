import { describe, expect, it } from 'vitest';
import { CODECS } from '../../../drivers/codecs.js';
import { decodeWeightMeasurement, encodeWeightMeasurement } from '../../../drivers/weight-wss/codec.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const decode = (codec: string, s: string) => CODECS.get(codec)!.decode(hex(s), {});

/** Vectors built field by field from the Weight Measurement / Weight Scale Feature layouts (PROTOCOL.md). */
describe('weight-measurement', () => {
  const FULL = [
    '0E', //        flags: b1 time stamp, b2 user id, b3 BMI and height; b0 = 0 → SI
    'FC 3A', //     weight 15100 × 0.005 kg = 75.5 kg
    'EA 07 0B 17 07 05 00', // time stamp 2026-11-23 07:05:00
    '02', //        user id 2
    'F6 00', //     BMI 246 × 0.1 = 24.6 kg/m²
    'D8 06', //     height 1752 × 0.001 m = 1.752 m
  ].join(' ');

  it('decodes an SI measurement with time stamp, user, BMI and height', () => {
    expect(decode('weight-measurement', FULL)).toEqual({ ok: true, value: {
      unit: 'si', weight_raw: 15100, weight_kg: 75.5, measurement_unsuccessful: false,
      timestamp: '2026-11-23T07:05:00', user_id: 2, bmi: 24.6, height_m: 1.752,
    } });
  });

  it('imperial: 0.01 lb and 0.1 in resolution, converted to kg and m', () => {
    // 09 = imperial + BMI/height · 16645 × 0.01 lb = 166.45 lb (05 41) · BMI 24.6 (F6 00) · 690 × 0.1 in = 69.0 in (B2 02)
    expect(decode('weight-measurement', '09 05 41 F6 00 B2 02')).toMatchObject({ ok: true, value: { unit: 'imperial', weight_kg: 75.5, bmi: 24.6, height_m: 1.753 } });
  });

  it('0xFFFF is "measurement unsuccessful": no weight', () => {
    expect(decode('weight-measurement', '00 FF FF')).toMatchObject({ ok: true, value: { weight_kg: null, measurement_unsuccessful: true } });
  });

  it('rejects truncated frames, extra bytes, RFU flags and bad dates', () => {
    const full = hex(FULL);
    for (let n = 0; n < full.length; n++) expect(decodeWeightMeasurement(full.subarray(0, n)).ok, `length ${n}`).toBe(false);
    expect(decode('weight-measurement', `${FULL} 00`)).toEqual({ ok: false, reason: 'length', at: 15 });
    expect(decode('weight-measurement', '10 FC 3A')).toEqual({ ok: false, reason: 'flags', at: 0 });
    expect(decode('weight-measurement', '02 FC 3A EA 07 0B 17 18 00 00')).toEqual({ ok: false, reason: 'range', at: 7 });
  });

  it('encoder and decoder agree in both unit systems', () => {
    for (const imperial of [false, true]) {
      const d = decodeWeightMeasurement(encodeWeightMeasurement({ kg: 82.3, imperial, bmi: 26.1, heightM: 1.776 }));
      expect(d.ok && Math.abs((d.value.kg ?? 0) - 82.3)).toBeLessThan(0.006);
      expect(d.ok && Math.abs((d.value.heightM ?? 0) - 1.776)).toBeLessThan(0.003);
    }
  });
});

describe('weight-feature', () => {
  it('decodes the flags and the resolutions', () => {
    // BF 01 00 00: b0 time stamp, b1 multiple users, b2 BMI, b3-6 = 7 (0.005 kg), b7-9 = 3 (0.001 m)
    expect(decode('weight-feature', 'BF 01 00 00')).toEqual({ ok: true, value: {
      features: 0x1bf, timestamp_supported: true, multiple_users_supported: true, bmi_supported: true,
      weight_resolution_kg: 0.005, weight_resolution_lb: 0.01, height_resolution_m: 0.001, height_resolution_in: 0.1,
    } });
  });
  it('rejects reserved resolutions and wrong lengths', () => {
    expect(decode('weight-feature', '40 00 00 00')).toEqual({ ok: false, reason: 'reserved', at: 0 }); // weight resolution 8
    expect(decode('weight-feature', '00 02 00 00')).toEqual({ ok: false, reason: 'reserved', at: 0 }); // height resolution 4
    expect(decode('weight-feature', 'BF 01 00')).toEqual({ ok: false, reason: 'short', at: 3 });
    expect(decode('weight-feature', 'BF 01 00 00 00')).toEqual({ ok: false, reason: 'length', at: 4 });
  });
});
