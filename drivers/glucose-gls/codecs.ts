import { formatWallTime } from '../shared/ble-date-time.js';
import { ok, type Codec } from '../shared/codec.js';
import {
  decodeGlucoseContext, decodeGlucoseFeature, decodeGlucoseMeasurement, GlsFeature, MEALS, mmolL, SAMPLE_LOCATIONS, SAMPLE_TYPES, STATUS_NAMES,
} from './codec.js';

/** `carehub decode` codecs of the blood glucose meter driver (`racp` is shared). */
const bitsOn = (v: number, names: readonly string[]): string[] => names.filter((_, i) => (v & (1 << i)) !== 0);

export const codecs: Codec[] = [
  {
    name: 'glucose-measurement',
    description: 'Glucose Measurement (0x2A18)',
    decode(bytes) {
      const d = decodeGlucoseMeasurement(bytes);
      if (!d.ok) return d;
      const m = d.value;
      return ok({
        sequence: m.sequence,
        base_time: m.baseTime ? formatWallTime(m.baseTime) : null,
        time_offset_min: m.timeOffsetMin,
        concentration: m.concentration?.value ?? null, concentration_unit: m.concentration ? m.unit : null,
        concentration_special: m.concentration?.special ?? null,
        glucose_mmol_l: mmolL(m),
        type: m.type === null ? null : SAMPLE_TYPES[m.type] ?? 'reserved',
        sample_location: m.location === null ? null : SAMPLE_LOCATIONS[m.location] ?? 'reserved',
        sensor_status: m.status,
        ...(m.status === null ? {} : { sensor_status_bits: bitsOn(m.status, STATUS_NAMES) }),
        context_follows: m.contextFollows,
      });
    },
  },
  {
    name: 'glucose-context',
    description: 'Glucose Measurement Context (0x2A34)',
    decode(bytes) {
      const d = decodeGlucoseContext(bytes);
      if (!d.ok) return d;
      const c = d.value;
      return ok({
        sequence: c.sequence, extended_flags: c.extendedFlags,
        carbohydrate_id: c.carbohydrate?.id ?? null, carbohydrate_kg: c.carbohydrate?.kg.value ?? null,
        meal: c.meal === null ? null : MEALS[c.meal] ?? 'reserved',
        tester: c.tester, health: c.health,
        exercise_duration_s: c.exercise?.durationS ?? null, exercise_intensity_pct: c.exercise?.intensityPct ?? null,
        medication_id: c.medication?.id ?? null, medication: c.medication?.value.value ?? null, medication_unit: c.medication?.unit ?? null,
        hba1c_pct: c.hba1c?.value ?? null,
      });
    },
  },
  {
    name: 'glucose-feature',
    description: 'Glucose Feature (0x2A51)',
    decode(bytes) {
      const d = decodeGlucoseFeature(bytes);
      if (!d.ok) return d;
      const f = d.value;
      return ok({
        features: f,
        supported: Object.entries(GlsFeature).filter(([, bit]) => (f & bit) !== 0).map(([name]) => name),
      });
    },
  },
];
