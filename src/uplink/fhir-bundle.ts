import type { Config } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import type { ReadingJson } from '../core/reading.js';
import { ifNoneExist, stableUuid, type Json } from './fhir-coding.js';
import { DeviceDirectory, type BundleEntry, type DeviceIdentity } from './fhir-devices.js';
import { futObservation, futSkipReason } from './fhir-fut.js';
import { phdObservation } from './fhir-observation.js';

/**
 * A readings batch as one FHIR R4 transaction Bundle, every entry a conditional create (a re-sent
 * batch creates nothing twice on the server):
 * - `fhir`: the hub (PhgDevice), each sensor's Device, the Patient when given by identifier, and
 *   the PHD IG Observations referencing them through their fullUrl.
 * - `fut`: FUT ehealth-observations only (see fhir-fut.ts for what FUT cannot take).
 */

export type FhirFormat = 'fhir' | 'fut';

export interface FhirBundlerOptions {
  hub: string;
  version: string;
  format: FhirFormat;
  fhir: Config['uplink']['fhir'];
  devices: readonly DeviceIdentity[];
  log?: Logger;
}

export interface BundleResult {
  json: string;
  /** Readings sent as Observations. */
  observations: number;
  /** Readings left out, by reason (fut gaps, unreadable payloads). */
  skipped: Record<string, number>;
}

interface PatientParts {
  subject: string;
  key: string;
  entry: BundleEntry | null;
}

/** The id part of a reference ([base/]Type/id[/_history/v]). */
function logicalId(ref: string): string {
  const m = /([^/]+)\/([^/]+)(\/_history\/[^/]+)?$/.exec(ref);
  return m?.[2] ?? ref;
}

export class FhirBundler {
  private readonly dir: DeviceDirectory;
  private readonly patient: PatientParts | null;
  private readonly loggedSkips = new Set<string>();

  constructor(private readonly o: FhirBundlerOptions) {
    this.dir = new DeviceDirectory(o.hub, o.version, o.devices);
    this.patient = this.patientParts();
  }

  private patientParts(): PatientParts | null {
    const p = this.o.fhir?.patient;
    if (!p) return null;
    if (p.reference !== undefined) return { subject: p.reference, key: logicalId(p.reference), entry: null };
    if (!p.identifier) return null;
    const { system, value } = p.identifier;
    const fullUrl = stableUuid(`patient|${system}|${value}`);
    return {
      subject: fullUrl,
      key: `${value}-${system}`,
      entry: {
        fullUrl,
        resource: { resourceType: 'Patient', identifier: [{ system, value }] },
        request: { method: 'POST', url: 'Patient', ifNoneExist: ifNoneExist(system, value) },
      },
    };
  }

  bundle(payloads: readonly string[], now: number): BundleResult {
    if (!this.patient) throw new Error(`format ${this.o.format} needs uplink.fhir.patient (check-config says what each format needs)`);
    const skipped: Record<string, number> = {};
    const skip = (reason: string, metric: string): void => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      const key = `${reason}|${metric}`;
      if (this.loggedSkips.has(key)) return;
      this.loggedSkips.add(key);
      this.o.log?.warn({ reason, metric, format: this.o.format }, 'readings of this metric are not sent in this format');
    };
    const readings: ReadingJson[] = [];
    for (const p of payloads) {
      try {
        readings.push(JSON.parse(p) as ReadingJson);
      } catch {
        skip('unreadable-payload', '?');
      }
    }
    const entries: (Json | BundleEntry)[] = [];
    let observations = 0;
    if (this.o.format === 'fut') {
      const f = this.o.fhir;
      for (const r of readings) {
        const why = futSkipReason(r);
        if (why !== null) { skip(why, r.metric); continue; }
        entries.push(this.observationEntry(r, futObservation(r, {
          patient: this.patient.subject, patientKey: this.patient.key,
          episodeOfCare: f?.episodeOfCare ?? '', basedOn: f?.basedOn ?? '', performer: f?.performer ?? '',
          deviceKey: this.dir.deviceKey(r.device), simulated: this.dir.simulated(r.device),
        })));
        observations++;
      }
    } else {
      const devices = new Map<string, BundleEntry>();
      for (const r of readings) {
        if (!devices.has(r.device)) devices.set(r.device, this.dir.sensor(r.device, r.kind));
        entries.push(this.observationEntry(r, phdObservation(r, {
          subject: this.patient.subject, patientKey: this.patient.key,
          deviceUrl: this.dir.deviceUrl(r.device), deviceKey: this.dir.deviceKey(r.device),
          gatewayUrl: this.dir.gatewayUrl, simulated: this.dir.simulated(r.device),
        })));
        observations++;
      }
      const head: BundleEntry[] = [];
      if (readings.length > 0) {
        head.push(this.dir.gateway(new Set(readings.map((r) => r.kind))), ...devices.values());
        if (this.patient.entry) head.push(this.patient.entry);
      }
      entries.unshift(...head);
    }
    const json = JSON.stringify({
      resourceType: 'Bundle',
      meta: { source: `urn:carehub:hub:${this.o.hub}` },
      type: 'transaction',
      timestamp: new Date(now).toISOString(),
      entry: entries,
    });
    return { json, observations, skipped };
  }

  private observationEntry(r: ReadingJson, resource: Json): Json {
    const id = (resource.identifier as { system: string; value: string }[])[0]!;
    return {
      fullUrl: stableUuid(`reading|${this.o.hub}|${r.id}`),
      resource,
      request: { method: 'POST', url: 'Observation', ifNoneExist: ifNoneExist(id.system, id.value) },
    };
  }
}
