import { createHash } from 'node:crypto';
import type { Coded } from '../core/metrics/types.js';
import { metricSpec } from '../core/metrics/index.js';

/** Code systems and URLs used by the `fhir` and `fut` formats. */
export const MDC_SYSTEM = 'urn:iso:std:iso:11073:10101';
export const LOINC_SYSTEM = 'http://loinc.org';
export const NPU_SYSTEM = 'urn:oid:1.2.208.176.2.1';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
/** carehub's own metric names, for metrics without a verified MDC code. */
export const CAREHUB_METRIC_SYSTEM = 'urn:carehub:metric';
export const CAREHUB_FLAG_SYSTEM = 'urn:carehub:flag';
export const CAREHUB_CLOCK_SYSTEM = 'urn:carehub:clock';
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const PHD_CATEGORY_SYSTEM = 'http://hl7.org/fhir/uv/phd/CodeSystem/PhdObservationCategories';
export const MEASUREMENT_STATUS_SYSTEM = 'http://hl7.org/fhir/uv/pocd/CodeSystem/measurement-status';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const DATA_ABSENT_SYSTEM = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';

export type Json = Record<string, unknown>;

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

/** meta.security marking test or simulated data (PHD IG: Measurement-Status test-data → HTEST). */
export const HTEST: Coding = { system: ACT_REASON_SYSTEM, code: 'HTEST', display: 'test health data' };

/**
 * The CodeableConcept of a metric: the MDC code with its reference id as display (or the
 * carehub metric name where no MDC code is verified), then the LOINC codes. `npuFirst` puts the
 * NPU code first (FUT's binding); metrics without NPU get none.
 */
export function metricCode(metric: string, npuFirst = false): Json {
  const spec = metricSpec(metric);
  const coding: Coding[] = [];
  if (npuFirst && spec?.npu) coding.push(npu(spec.npu));
  if (spec && spec.mdc !== null) coding.push({ system: MDC_SYSTEM, code: String(spec.mdc), display: spec.refId ?? metric });
  else coding.push({ system: CAREHUB_METRIC_SYSTEM, code: metric, display: spec?.label ?? metric });
  for (const l of spec?.loinc ?? []) coding.push({ system: LOINC_SYSTEM, code: l.code, display: l.display });
  return { coding, text: spec?.refId ?? spec?.label ?? metric };
}

function npu(c: Coded): Coding {
  return { system: NPU_SYSTEM, code: c.code, display: c.display };
}

/** True when FHIR R4 counts the metric among the vital signs. */
export function isVitalSign(metric: string): boolean {
  return metricSpec(metric)?.vitalSign ?? false;
}

export function ucumQuantity(value: number, unit: string): Json {
  return { value, unit, system: UCUM_SYSTEM, code: unit };
}

/** A deterministic urn:uuid (RFC 9562 version 8, from SHA-256) for a Bundle entry's fullUrl. */
export function stableUuid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A conditional create's search (`identifier=system|value`), each part URL-encoded. */
export function ifNoneExist(system: string, value: string): string {
  return `identifier=${encodeURIComponent(system)}|${encodeURIComponent(value)}`;
}
