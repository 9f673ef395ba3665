import { ok, type Codec } from '../shared/codec.js';
import { racpCodec } from '../shared/racp.js';
import type { MderValue } from '../shared/sfloat.js';
import { decodeContinuous, decodeFeatures, decodeSpotCheck, formatDateTime } from './codec.js';

/** `carehub decode` codecs of the PLXS driver (contract §6 field names). */
const v = (m: MderValue | null | undefined): number | null => m?.value ?? null;

export const codecs: Codec[] = [
  {
    name: 'plx-continuous',
    description: 'PLX Continuous Measurement (0x2A5F)',
    decode(bytes) {
      const d = decodeContinuous(bytes);
      if (!d.ok) return d;
      const m = d.value;
      return ok({
        spo2_pct: v(m.spo2), pr_bpm: v(m.pr),
        spo2_fast_pct: v(m.fast?.spo2), pr_fast_bpm: v(m.fast?.pr),
        spo2_slow_pct: v(m.slow?.spo2), pr_slow_bpm: v(m.slow?.pr),
        measurement_status: m.measurementStatus, device_sensor_status: m.deviceSensorStatus,
        pai_pct: v(m.pai),
        spo2_special: m.spo2.special, pr_special: m.pr.special,
      });
    },
  },
  {
    name: 'plx-spot-check',
    description: 'PLX Spot-check Measurement (0x2A5E)',
    decode(bytes) {
      const d = decodeSpotCheck(bytes);
      if (!d.ok) return d;
      const m = d.value;
      return ok({
        spo2_pct: v(m.spo2), pr_bpm: v(m.pr),
        timestamp: m.timestamp ? formatDateTime(m.timestamp) : null, clock_not_set: m.clockNotSet,
        measurement_status: m.measurementStatus, device_sensor_status: m.deviceSensorStatus,
        pai_pct: v(m.pai),
        spo2_special: m.spo2.special, pr_special: m.pr.special,
      });
    },
  },
  {
    name: 'plx-features',
    description: 'PLX Features (0x2A60)',
    decode(bytes) {
      const d = decodeFeatures(bytes);
      if (!d.ok) return d;
      return ok({
        supported_features: d.value.supported,
        measurement_status_support: d.value.measurementStatusSupport,
        device_sensor_status_support: d.value.deviceSensorStatusSupport,
      });
    },
  },
  racpCodec,
];
