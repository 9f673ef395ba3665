import { formatWallTime } from '../shared/ble-date-time.js';
import { ok, type Codec } from '../shared/codec.js';
import { decodeWeightFeature, decodeWeightMeasurement, HEIGHT_RESOLUTION, WEIGHT_RESOLUTION } from './codec.js';

/** `carehub decode` codecs of the weight scale driver (SI values whatever unit the scale sent). */
export const codecs: Codec[] = [
  {
    name: 'weight-measurement',
    description: 'Weight Measurement (0x2A9D)',
    decode(bytes) {
      const d = decodeWeightMeasurement(bytes);
      if (!d.ok) return d;
      const m = d.value;
      return ok({
        unit: m.imperial ? 'imperial' : 'si', weight_raw: m.raw, weight_kg: m.kg, measurement_unsuccessful: m.kg === null,
        timestamp: m.timestamp ? formatWallTime(m.timestamp) : null, user_id: m.userId, bmi: m.bmi, height_m: m.heightM,
      });
    },
  },
  {
    name: 'weight-feature',
    description: 'Weight Scale Feature (0x2A9E)',
    decode(bytes) {
      const d = decodeWeightFeature(bytes);
      if (!d.ok) return d;
      const f = d.value;
      const w = WEIGHT_RESOLUTION[f.weightResolution] ?? null;
      const h = HEIGHT_RESOLUTION[f.heightResolution] ?? null;
      return ok({
        features: f.raw, timestamp_supported: f.timestamp, multiple_users_supported: f.multipleUsers, bmi_supported: f.bmi,
        weight_resolution_kg: w?.[0] ?? null, weight_resolution_lb: w?.[1] ?? null,
        height_resolution_m: h?.[0] ?? null, height_resolution_in: h?.[1] ?? null,
      });
    },
  },
];
