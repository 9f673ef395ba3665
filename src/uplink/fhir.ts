import { createHash } from 'node:crypto';
import type { ReadingJson } from '../core/reading.js';

/**
 * `format: fhir`: a readings batch as a FHIR R4 Bundle of Observations following the HL7
 * Personal Health Device IG (PhdNumericObservation / PhdRtsaObservation for waveforms):
 * MDC codes (urn:iso:std:iso:11073:10101), UCUM quantities, the reading id as identifier, the
 * device as a logical reference. The Bundle is a transaction with conditional creates on the
 * identifier, so a re-sent batch does not create duplicates on a FHIR server.
 */

export const MDC_SYSTEM = 'urn:iso:std:iso:11073:10101';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const READING_ID_SYSTEM = 'urn:carehub:reading';
const PROFILE_NUMERIC = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdNumericObservation';
const PROFILE_RTSA = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdRtsaObservation';
const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const VITAL_SIGNS = new Set(['spo2', 'pulse_rate', 'respiratory_rate']);

type Json = Record<string, unknown>;

/** A deterministic urn:uuid for a reading id (the Bundle needs a fullUrl per entry). */
export function readingUuid(id: string): string {
  const h = createHash('sha256').update(id).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function quantity(value: number, unit: string): Json {
  return { value, unit, system: UCUM_SYSTEM, code: unit };
}

export function readingToObservation(r: ReadingJson, hub: string): Json {
  const coding: Json[] = r.mdc !== null
    ? [{ system: MDC_SYSTEM, code: String(r.mdc), display: r.metric }]
    : [{ system: 'urn:carehub:metric', code: r.metric }];
  const tags: Json[] = [{ system: 'urn:carehub:clock', code: r.clock }];
  for (const f of r.flags) tags.push({ system: 'urn:carehub:flag', code: f });
  const waveform = Array.isArray(r.samples) && r.samples.length > 0;
  const obs: Json = {
    resourceType: 'Observation',
    meta: { profile: [waveform ? PROFILE_RTSA : PROFILE_NUMERIC], tag: tags },
    identifier: [{ system: READING_ID_SYSTEM, value: r.id }],
    status: r.flags.includes('invalid') ? 'entered-in-error' : r.flags.includes('early-estimate') ? 'preliminary' : 'final',
    code: { coding, text: r.metric },
    effectiveDateTime: r.t,
    issued: r.rx,
    device: { identifier: { system: `urn:carehub:hub:${hub}:device`, value: r.device }, display: `${r.kind} ${r.device}` },
  };
  if (VITAL_SIGNS.has(r.metric)) obs.category = [{ coding: [{ system: CATEGORY_SYSTEM, code: 'vital-signs' }] }];
  if (waveform) {
    obs.valueSampledData = {
      origin: quantity(0, r.unit),
      period: r.period_ms ?? 0,
      dimensions: 1,
      data: (r.samples ?? []).join(' '),
    };
  } else {
    obs.valueQuantity = quantity(r.value, r.unit);
  }
  return obs;
}

/** Builds the Bundle JSON text from the stored reading payload strings. */
export function fhirBundle(payloads: string[], hub: string, now: number): string {
  const entry = payloads.map((p) => {
    const r = JSON.parse(p) as ReadingJson;
    return {
      fullUrl: readingUuid(r.id),
      resource: readingToObservation(r, hub),
      request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=${READING_ID_SYSTEM}|${r.id}` },
    };
  });
  return JSON.stringify({
    resourceType: 'Bundle',
    meta: { source: `urn:carehub:hub:${hub}` },
    type: 'transaction',
    timestamp: new Date(now).toISOString(),
    entry,
  });
}
