import type { ReadingJson } from '../core/reading.js';
import { futGap, serviceRequestVersion } from './fhir-config.js';
import { HTEST, metricCode, ucumQuantity, type Json } from './fhir-coding.js';
import { isTestData, PHD_ID_SYSTEM, phdIdentifier } from './fhir-observation.js';

/**
 * `format: fut`: a reading as a FUT ehealth-observation (Danish eHealth Infrastructure): the NPU
 * code FUT's observation-codes value set binds, with the MDC and LOINC codes beside it; subject,
 * performer and basedOn as references on the FUT servers; the workflow-episodeOfCare and
 * ehealth-resolved-timing extensions (1..1). FUT references devices registered on its own
 * Device service only, so no Device is sent.
 *
 * Not sent in this format (never invented): metrics FUT has no code for (the gap table in
 * docs/TERMINOLOGY.md), waveforms (FUT takes Quantity or CodeableConcept values only) and invalid
 * readings (FUT binds dataAbsentReason to its own value set).
 */

export const FUT_OBSERVATION_PROFILE = 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-observation';
export const EPISODE_OF_CARE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare';
export const RESOLVED_TIMING_EXTENSION = 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-resolved-timing';
export const RESOLVED_TIMING_TYPE_SYSTEM = 'http://ehealth.sundhed.dk/cs/resolved-timing-type';

export interface FutContext {
  patient: string;
  episodeOfCare: string;
  basedOn: string;
  performer: string;
  /** The patient part of the conditional-create identifier. */
  patientKey: string;
  deviceKey: string;
  simulated: boolean;
}

/** Why a reading is not sent in `fut`, or null when it is. */
export function futSkipReason(r: ReadingJson): 'no-fut-code' | 'waveform' | 'invalid' | null {
  if (futGap(r.metric)) return 'no-fut-code';
  if (Array.isArray(r.samples) && r.samples.length > 0) return 'waveform';
  if (r.flags.includes('invalid')) return 'invalid';
  return null;
}

/** The ehealth-observation of a reading (call only when futSkipReason is null). */
export function futObservation(r: ReadingJson, ctx: FutContext): Json {
  const meta: Json = { profile: [FUT_OBSERVATION_PROFILE] };
  if (isTestData(r, ctx.simulated)) meta.security = [HTEST];
  return {
    resourceType: 'Observation',
    meta,
    extension: [
      { url: EPISODE_OF_CARE_EXTENSION, valueReference: { reference: ctx.episodeOfCare } },
      {
        url: RESOLVED_TIMING_EXTENSION,
        extension: [
          { url: 'serviceRequestVersionId', valueId: serviceRequestVersion(ctx.basedOn) ?? '' },
          // Continuous monitoring fills no time slot of a measurement regime.
          { url: 'type', valueCodeableConcept: { coding: [{ system: RESOLVED_TIMING_TYPE_SYSTEM, code: 'Adhoc' }] } },
        ],
      },
    ],
    identifier: [{ system: PHD_ID_SYSTEM, value: phdIdentifier(r, ctx) }],
    // the version goes in resolved-timing; basedOn refers to the ServiceRequest itself (as FUT's examples do)
    basedOn: [{ reference: ctx.basedOn.replace(/\/_history\/[^/]+$/, '') }],
    status: r.flags.includes('early-estimate') ? 'preliminary' : 'final',
    code: metricCode(r.metric, true),
    subject: { reference: ctx.patient },
    effectiveDateTime: r.t,
    performer: [{ reference: ctx.performer }],
    valueQuantity: ucumQuantity(r.value, r.unit),
  };
}
