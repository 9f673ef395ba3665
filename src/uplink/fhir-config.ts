import type { Config, DeviceConfig } from '../config/schema.js';
import { metricSpec, METRICS } from '../core/metrics/index.js';
import type { ConfigProblem } from '../config/load.js';

type UplinkConfig = Config['uplink'];

/** The ServiceRequest version in a versioned reference (.../ServiceRequest/<id>/_history/<version>). */
export function serviceRequestVersion(ref: string): string | null {
  return /\/_history\/([A-Za-z0-9\-.]{1,64})$/.exec(ref)?.[1] ?? null;
}

/**
 * What each format needs (check-config and the uplink's start gate, via uplinkProblems):
 * - json: nothing more.
 * - fhir (HL7 PHD IG): the patient (Observation.subject is 1..1).
 * - fut (FUT ehealth-observation): the patient as a reference on the FUT server, the EpisodeOfCare,
 *   the ServiceRequest with its version (basedOn and the resolved-timing extension) and the performer.
 */
export function formatProblems(uplink: UplinkConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (uplink.format === 'json') return out;
  const f = uplink.fhir;
  const need = (path: string, why: string): void => { out.push({ path: `uplink.fhir.${path}`, message: `format ${uplink.format} needs ${why}` }); };
  if (!f) { need('patient', 'the patient (uplink.fhir.patient: reference or identifier): every Observation has a subject'); }
  if (uplink.format === 'fut') {
    if (f && f.patient.reference === undefined) need('patient.reference', 'the patient as a reference on the FUT server (FUT accepts only referenced patients)');
    if (!f?.episodeOfCare) need('episodeOfCare', 'the EpisodeOfCare reference (workflow-episodeOfCare extension, 1..1 in ehealth-observation)');
    if (!f?.basedOn) need('basedOn', 'the ServiceRequest reference with its version, .../ServiceRequest/<id>/_history/<version> (basedOn and resolved-timing, 1..1 in ehealth-observation)');
    else if (serviceRequestVersion(f.basedOn) === null) need('basedOn', 'the ServiceRequest version: write the reference as .../ServiceRequest/<id>/_history/<version> (resolved-timing.serviceRequestVersionId is 1..1)');
    if (!f?.performer) need('performer', 'the performer reference (1..1 in ehealth-observation; usually the patient)');
  }
  return out;
}

/** Metrics FUT has no code for: forwarded in json and fhir, never in fut (docs/TERMINOLOGY.md). */
export function futGap(metric: string): boolean {
  return metricSpec(metric)?.npu == null;
}

/** check-config warnings: configured devices whose metrics the chosen format cannot carry. */
export function formatWarnings(uplink: UplinkConfig, devices: readonly DeviceConfig[]): string[] {
  if (uplink.format !== 'fut') return [];
  const kinds = new Set(devices.map((d) => d.kind));
  const out: string[] = [];
  for (const kind of kinds) {
    const gap = [...METRICS.values()].filter((m) => m.kind === kind && m.npu === null).map((m) => m.name);
    const sent = [...METRICS.values()].filter((m) => m.kind === kind && m.npu !== null).map((m) => m.name);
    if (gap.length === 0) continue;
    out.push(`uplink.format fut: FUT has no code for ${kind} metrics ${gap.join(', ')}; they are not forwarded in this format (${sent.length > 0 ? `only ${sent.join(', ')}` : 'nothing of this device'}; see docs/TERMINOLOGY.md)`);
  }
  return out;
}
