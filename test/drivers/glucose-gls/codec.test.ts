import { describe, expect, it } from 'vitest';
import { CODECS } from '../../../drivers/codecs.js';
import { decodeGlucoseContext, decodeGlucoseMeasurement, encodeGlucoseMeasurement, mmolL } from '../../../drivers/glucose-gls/codec.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const decode = (codec: string, s: string) => CODECS.get(codec)!.decode(hex(s), {});

/** Vectors built field by field from the Glucose Measurement / Context / Feature layouts (PROTOCOL.md). */
describe('glucose-measurement', () => {
  const FULL = [
    '1B', //        flags: b0 time offset, b1 concentration + type/location, b3 status, b4 context follows; b2 = 0 → kg/L
    '05 00', //     sequence number 5
    'EA 07 0B 17 07 2D 00', // base time 2026-11-23 07:45:00
    '3C 00', //     time offset +60 min
    '6C B0', //     SFLOAT 108 × 10^-5 kg/L = 108 mg/dL = 5.99 mmol/L
    '12', //        type 2 capillary plasma (low nibble), location 1 finger (high nibble)
    '01 08', //     status: b0 battery low, b11 time fault
  ].join(' ');

  it('decodes every field and converts kg/L to mmol/L', () => {
    expect(decode('glucose-measurement', FULL)).toEqual({ ok: true, value: {
      sequence: 5, base_time: '2026-11-23T07:45:00', time_offset_min: 60,
      concentration: 0.00108, concentration_unit: 'kg/L', concentration_special: null, glucose_mmol_l: 5.99,
      type: 'capillary_plasma', sample_location: 'finger',
      sensor_status: 0x0801, sensor_status_bits: ['device_battery_low', 'time_fault'], context_follows: true,
    } });
  });

  it('mol/L: 0.0055 mol/L is 5.5 mmol/L; a negative time offset is signed', () => {
    // 07 = offset + concentration + mol/L · seq 6 · base time · offset -30 (E2 FF) · 55 × 10^-4 mol/L (37 C0) · 11 whole blood, finger
    const d = decodeGlucoseMeasurement(hex('07 06 00 EA 07 0B 17 07 2D 00 E2 FF 37 C0 11'));
    expect(d.ok && { off: d.value.timeOffsetMin, mmol: mmolL(d.value), type: d.value.type }).toEqual({ off: -30, mmol: 5.5, type: 1 });
  });

  it('rejects truncated frames, extra bytes, RFU flags and bad base times', () => {
    const full = hex(FULL);
    for (let n = 0; n < full.length; n++) expect(decodeGlucoseMeasurement(full.subarray(0, n)).ok, `length ${n}`).toBe(false);
    expect(decode('glucose-measurement', `${FULL} 00`)).toEqual({ ok: false, reason: 'length', at: 17 });
    expect(decode('glucose-measurement', '20 05 00 EA 07 0B 17 07 2D 00')).toEqual({ ok: false, reason: 'flags', at: 0 });
    expect(decode('glucose-measurement', '00 05 00 EA 07 02 1E 07 2D 00')).toEqual({ ok: false, reason: 'date', at: 6 });
  });

  it('encoder and decoder agree', () => {
    const d = decodeGlucoseMeasurement(encodeGlucoseMeasurement({ sequence: 300, baseTime: { year: 2026, month: 1, day: 2, hours: 3, minutes: 4, seconds: 5 }, mgdl: 63 }));
    expect(d.ok && { seq: d.value.sequence, mmol: mmolL(d.value) }).toEqual({ seq: 300, mmol: 3.5 });
  });
});

describe('glucose-context', () => {
  it('decodes meal and HbA1c', () => {
    // 42 = b1 meal, b6 HbA1c · seq 5 · meal 1 preprandial · HbA1c 65 × 10^-1 = 6.5 %
    expect(decode('glucose-context', '42 05 00 01 41 F0')).toMatchObject({ ok: true, value: { sequence: 5, meal: 'preprandial', hba1c_pct: 6.5, carbohydrate_id: null } });
  });
  it('decodes every optional field', () => {
    const all = [
      'FF', //      every flag: carbohydrate, meal, tester-health, exercise, medication, medication in litres, HbA1c, extended flags
      '07 00', //   sequence 7
      '00', //      extended flags
      '01 32 D0', // carbohydrate id 1 breakfast, 50 × 10^-3 kg
      '02', //      meal postprandial
      '51', //      tester 1 self (low nibble), health 5 no health issues (high nibble)
      '08 07 32', // exercise 1800 s at 50 %
      '01 0A D0', // medication id 1 rapid-acting insulin, 10 × 10^-3 L
      '3A F0', //   HbA1c 5.8 %
    ].join(' ');
    expect(decode('glucose-context', all)).toEqual({ ok: true, value: {
      sequence: 7, extended_flags: 0, carbohydrate_id: 1, carbohydrate_kg: 0.05, meal: 'postprandial', tester: 1, health: 5,
      exercise_duration_s: 1800, exercise_intensity_pct: 50, medication_id: 1, medication: 0.01, medication_unit: 'L', hba1c_pct: 5.8,
    } });
    const b = hex(all);
    for (let n = 0; n < b.length; n++) expect(decodeGlucoseContext(b.subarray(0, n)).ok, `length ${n}`).toBe(false);
    expect(decode('glucose-context', `${all} 00`)).toEqual({ ok: false, reason: 'length', at: 17 });
  });
});

describe('glucose-feature', () => {
  it('decodes and bounds the feature', () => {
    expect(decode('glucose-feature', '03 04')).toEqual({ ok: true, value: { features: 0x0403, supported: ['lowBattery', 'malfunction', 'multiBond'] } });
    expect(decode('glucose-feature', '03')).toEqual({ ok: false, reason: 'short', at: 1 });
    expect(decode('glucose-feature', '03 04 00')).toEqual({ ok: false, reason: 'length', at: 2 });
  });
});
