import { metricSpec } from '../core/metrics/index.js';
import type { ReadingJson } from '../core/reading.js';
import {
  CAREHUB_CLOCK_SYSTEM, CAREHUB_FLAG_SYSTEM, DATA_ABSENT_SYSTEM, HTEST, MEASUREMENT_STATUS_SYSTEM, OBSERVATION_CATEGORY_SYSTEM,
  PHD_CATEGORY_SYSTEM, isVitalSign, metricCode, ucumQuantity, type Coding, type Json,
} from './fhir-coding.js';

/**
 * One reading as a PHD IG Observation (PhdNumericObservation, or PhdRtsaObservation for a
 * waveform), following the IG's PhdBaseObservation: subject, phd category, MDC code with its
 * reference id, LOINC for vital signs and CGM glucose, device and gateway references to Device
 * entries of the same Bundle, the IG's conditional-create identifier, and the measurement status
 * mapped as the IG's table says (invalid → dataAbsentReason error + entered-in-error, questionable /
 * calibration / early estimate → interpretation, test or demo data and simulated devices → HTEST).
 */

export const PHD_NUMERIC_PROFILE = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdNumericObservation';
export const PHD_RTSA_PROFILE = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdRtsaObservation';
/** identifier.system of the PHD IG's conditional-create identifier (PhdBaseObservation). */
export const PHD_ID_SYSTEM = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdBaseObservation';
const GATEWAY_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice';

/** Flags mapped to the IG's measurement-status interpretation codes. */
const INTERPRETATION: Partial<Record<string, string>> = {
  questionable: 'questionable',
  calibration: 'calibration-ongoing',
  'early-estimate': 'early-indication',
};
/** Flags the IG maps elsewhere (status, dataAbsentReason, meta.security): not repeated as tags. */
const MAPPED = new Set(['invalid', 'test', 'demo', 'setting', ...Object.keys(INTERPRETATION)]);

export interface ObservationContext {
  /** Observation.subject (the patient; settings refer to the device, as the IG says). */
  subject: string;
  /** The patient part of the conditional-create identifier. */
  patientKey: string;
  deviceUrl: string;
  /** The device part of the conditional-create identifier. */
  deviceKey: string;
  gatewayUrl: string;
  /** Served by carehub's simulator: marked HTEST. */
  simulated: boolean;
}

const EPOCH_2000 = Date.UTC(2000, 0, 1);

/** The IG's timestamp part: seconds since 2000-01-01 (UTC) at millisecond resolution. */
export function phdTimestamp(iso: string): string {
  return ((Date.parse(iso) - EPOCH_2000) / 1000).toFixed(3);
}

/** The IG's conditional-create identifier value: device-patient-type-timestamp. */
export function phdIdentifier(r: ReadingJson, ctx: Pick<ObservationContext, 'deviceKey' | 'patientKey'>): string {
  const type = r.mdc !== null ? String(r.mdc) : r.metric;
  return `${ctx.deviceKey}-${ctx.patientKey}-${type}-${phdTimestamp(r.t)}`;
}

/** True when the reading is test or demo data, or comes from a simulated device. */
export function isTestData(r: ReadingJson, simulated: boolean): boolean {
  return simulated || r.flags.includes('test') || r.flags.includes('demo');
}

export function phdObservation(r: ReadingJson, ctx: ObservationContext): Json {
  const samples = Array.isArray(r.samples) && r.samples.length > 0 ? r.samples : null;
  const waveform = samples !== null && typeof r.period_ms === 'number' && r.period_ms > 0;
  const invalid = r.flags.includes('invalid');
  const setting = r.flags.includes('setting') || metricSpec(r.metric)?.setting === true;

  const tags: Coding[] = [{ system: CAREHUB_CLOCK_SYSTEM, code: r.clock }];
  for (const f of r.flags) if (!MAPPED.has(f)) tags.push({ system: CAREHUB_FLAG_SYSTEM, code: f });
  if (samples !== null && !waveform) tags.push({ system: CAREHUB_FLAG_SYSTEM, code: 'waveform-without-period' });
  const meta: Json = { profile: [waveform ? PHD_RTSA_PROFILE : PHD_NUMERIC_PROFILE], tag: tags };
  if (isTestData(r, ctx.simulated)) meta.security = [HTEST];

  const category: Json[] = [{ coding: [{ system: PHD_CATEGORY_SYSTEM, code: 'phd' }] }];
  if (isVitalSign(r.metric)) category.push({ coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: 'vital-signs' }], text: 'Vital Signs' });

  const obs: Json = {
    resourceType: 'Observation',
    meta,
    extension: [{ url: GATEWAY_EXTENSION, valueReference: { reference: ctx.gatewayUrl } }],
    identifier: [{ system: PHD_ID_SYSTEM, value: phdIdentifier(r, ctx) }],
    status: invalid ? 'entered-in-error' : r.flags.includes('early-estimate') ? 'preliminary' : 'final',
    category,
    code: metricCode(r.metric),
    subject: { reference: setting ? ctx.deviceUrl : ctx.subject },
    effectiveDateTime: r.t,
    issued: r.rx,
    device: { reference: ctx.deviceUrl },
  };
  const interp = r.flags.flatMap((f) => { const c = INTERPRETATION[f]; return c ? [{ system: MEASUREMENT_STATUS_SYSTEM, code: c }] : []; });
  if (interp.length > 0) obs.interpretation = interp.map((c) => ({ coding: [c] }));
  if (invalid) {
    obs.dataAbsentReason = { coding: [{ system: DATA_ABSENT_SYSTEM, code: 'error' }] };
  } else if (waveform) {
    obs.valueSampledData = {
      origin: ucumQuantity(0, r.unit),
      period: r.period_ms,
      factor: 1,
      dimensions: 1,
      data: (samples ?? []).join(' '),
    };
  } else {
    obs.valueQuantity = ucumQuantity(r.value, r.unit);
  }
  return obs;
}
