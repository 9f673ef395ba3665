import { formatWallTime } from '../shared/ble-date-time.js';
import { ok, type Codec } from '../shared/codec.js';
import { BpFeature, BpStatus, decodeBpFeature, decodeBpMeasurement, PULSE_RANGE } from './codec.js';

/** `carehub decode` codecs of the blood pressure driver. Values as sent (unit says which). */
export const codecs: Codec[] = [
  {
    name: 'bp-measurement',
    description: 'Blood Pressure Measurement (0x2A35; also Intermediate Cuff Pressure 0x2A36)',
    decode(bytes) {
      const d = decodeBpMeasurement(bytes);
      if (!d.ok) return d;
      const m = d.value;
      const s = m.status;
      return ok({
        unit: m.unit,
        systolic: m.systolic.value, diastolic: m.diastolic.value, mean_arterial_pressure: m.map.value,
        systolic_special: m.systolic.special, diastolic_special: m.diastolic.special, map_special: m.map.special,
        timestamp: m.timestamp ? formatWallTime(m.timestamp) : null,
        pulse_rate_bpm: m.pulse?.value ?? null,
        user_id: m.userId,
        measurement_status: s,
        ...(s === null ? {} : {
          body_movement: (s & BpStatus.bodyMovement) !== 0,
          cuff_too_loose: (s & BpStatus.cuffLoose) !== 0,
          irregular_pulse: (s & BpStatus.irregularPulse) !== 0,
          pulse_rate_range: PULSE_RANGE[(s >> 3) & 3],
          improper_position: (s & BpStatus.position) !== 0,
        }),
      });
    },
  },
  {
    name: 'bp-feature',
    description: 'Blood Pressure Feature (0x2A49)',
    decode(bytes) {
      const d = decodeBpFeature(bytes);
      if (!d.ok) return d;
      const f = d.value;
      return ok({
        features: f,
        body_movement_detection: (f & BpFeature.bodyMovement) !== 0,
        cuff_fit_detection: (f & BpFeature.cuffFit) !== 0,
        irregular_pulse_detection: (f & BpFeature.irregularPulse) !== 0,
        pulse_rate_range_detection: (f & BpFeature.pulseRange) !== 0,
        position_detection: (f & BpFeature.position) !== 0,
        multiple_bonds: (f & BpFeature.multiBond) !== 0,
      });
    },
  },
];
