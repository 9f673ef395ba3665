import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/core/metrics/index.js';
import type { ReadingJson } from '../../src/core/reading.js';
import { FhirBundler } from '../../src/uplink/fhir-bundle.js';
import { checkRules, type Finding } from './rules.js';
import { FUT_RULES } from './rules-fut.js';
import { PHD_RULES } from './rules-phd.js';
import { simConfig, simulatedReadings } from './sim-readings.js';
import { fhirJsErrors, schemaErrors, ucumCodes, ucumErrors } from './validate.js';

// Issue 12 "done when": Bundles from every simulated device (oximeters with pleth, CGM backfill,
// ventilator with waveforms), produced by the real drivers, simulators and pipeline, validated by
// independent tools and by the PHD and FUT IGs' rules.

type Bundle = Record<string, unknown> & { entry: { fullUrl: string; resource: Record<string, unknown> & { resourceType: string } }[] };

const devices = simConfig('/nonexistent').devices;
const FUT = { patient: { reference: 'https://patient.example.dk/fhir/Patient/5391' }, episodeOfCare: 'https://careplan.example.dk/fhir/EpisodeOfCare/98217', basedOn: 'https://careplan.example.dk/fhir/ServiceRequest/89218/_history/42', performer: 'https://patient.example.dk/fhir/Patient/5391' };

function enough(rs: readonly ReadingJson[]): boolean {
  const has = (device: string, pred: (r: ReadingJson) => boolean) => rs.filter((r) => r.device === device && pred(r)).length >= 2;
  return has('oxi-plxs', (r) => r.metric === 'spo2') && has('oxi-berry', (r) => r.metric === 'pleth')
    && rs.some((r) => r.device === 'cgm-1' && r.metric === 'glucose' && r.flags.includes('stored'))
    && has('vent-1', (r) => r.metric === 'flow_waveform') && has('vent-1', (r) => r.flags.includes('setting'));
}

let readings: ReadingJson[] = [];
beforeAll(async () => {
  readings = await simulatedReadings(enough, 20_000);
}, 40_000);

function bundleOf(format: 'fhir' | 'fut', fhir: ConstructorParameters<typeof FhirBundler>[0]['fhir']): Bundle {
  const b = new FhirBundler({ hub: 'hub-sim', version: '1.2.3', format, fhir, devices });
  return JSON.parse(b.bundle(readings.map((r) => JSON.stringify(r)), Date.UTC(2026, 0, 1)).json) as Bundle;
}

const errorsOf = (f: Finding[]) => f.filter((x) => x.severity === 'error');

describe('fhir format (HL7 PHD IG) over the four simulated devices', () => {
  it('covers every device: pleth, CGM backfill, ventilator waveforms and settings', () => {
    expect(enough(readings)).toBe(true);
  });

  for (const [name, patient] of [
    ['patient by reference', { reference: 'Patient/p-1' }],
    ['patient by identifier (conditional create of the Patient)', { identifier: { system: 'urn:oid:1.2.208.176.1.2', value: '0101010101' } }],
  ] as const) {
    it(`${name}: 0 schema errors, 0 FHIR.js errors, 0 UCUM errors, 0 PHD rule errors`, () => {
      const b = bundleOf('fhir', { patient });
      const observations = b.entry.filter((e) => e.resource.resourceType === 'Observation');
      expect(observations).toHaveLength(readings.length);
      expect(schemaErrors(b)).toEqual([]);
      expect(fhirJsErrors(b)).toEqual([]);
      expect(ucumCodes(b).length).toBeGreaterThan(5);
      expect(ucumErrors(b)).toEqual([]);
      const findings = checkRules(b, PHD_RULES);
      expect(errorsOf(findings)).toEqual([]);
      // the MDC-code warning only for metrics that truly have no verified code
      const warned = new Set(findings.filter((f) => f.rule === 'phd-mdc-1').map((f) => f.code));
      const noCode = new Set(readings.map((r) => r.metric).filter((m) => METRICS.get(m)?.mdc === null).map((m) => METRICS.get(m)?.label));
      expect(warned).toEqual(noCode);
      expect(findings.filter((f) => f.severity === 'warning' && f.rule !== 'phd-mdc-1')).toEqual([]);
    });
  }

  it('waveforms go as PhdRtsaObservation with origin, factor, period and dimensions', () => {
    const b = bundleOf('fhir', { patient: { reference: 'Patient/p-1' } });
    const rtsa = b.entry.map((e) => e.resource).filter((r) => r.valueSampledData !== undefined);
    const metrics = new Set(rtsa.map((r) => (r.code as { text: string }).text));
    expect(metrics).toEqual(new Set(['MDC_PULS_OXIM_PLETH', 'MDC_FLOW_AWAY', 'MDC_VOL_AWAY', 'Paw']));
    for (const r of rtsa) {
      expect(r.valueSampledData).toMatchObject({ origin: { value: 0, system: 'http://unitsofmeasure.org' }, factor: 1, dimensions: 1 });
      expect((r.valueSampledData as { period: number }).period).toBeGreaterThan(0);
    }
  });

  it('every resource of a simulated device is marked HTEST, Devices included', () => {
    const b = bundleOf('fhir', { patient: { reference: 'Patient/p-1' } });
    const sensorsAndObs = b.entry.filter((e) => e.resource.resourceType === 'Observation' || (e.resource.resourceType === 'Device' && (e.resource.type as { coding: { code: string }[] }).coding[0]!.code === '65573'));
    expect(sensorsAndObs.length).toBe(readings.length + 4);
    for (const e of sensorsAndObs) expect((e.resource.meta as { security?: { code: string }[] }).security).toEqual([expect.objectContaining({ code: 'HTEST' })]);
  });
});

describe('fut format (FUT ehealth-observation) over the four simulated devices', () => {
  it('SpO2 and pulse pass every FUT rule; the other metrics are left out, not invented', () => {
    const b = bundleOf('fut', FUT);
    const obs = b.entry.map((e) => e.resource);
    const codes = new Set(obs.map((r) => (r.code as { coding: { code: string }[] }).coding[0]!.code));
    expect(codes).toEqual(new Set(['NPU03011', 'NPU21692']));
    expect(obs.length).toBe(readings.filter((r) => r.metric === 'spo2' || r.metric === 'pulse_rate').length);
    expect(checkRules(b, FUT_RULES)).toEqual([]);
    expect(schemaErrors(b)).toEqual([]);
    expect(fhirJsErrors(b)).toEqual([]);
    expect(ucumErrors(b)).toEqual([]);
    for (const r of obs) {
      const systems = (r.code as { coding: { system: string }[] }).coding.map((c) => c.system);
      expect(systems).toEqual(['urn:oid:1.2.208.176.2.1', 'urn:iso:std:iso:11073:10101', 'http://loinc.org', ...(systems.length === 4 ? ['http://loinc.org'] : [])]);
    }
  });
});

describe('corrected MDC codes in the JSON payloads (contract §3)', () => {
  it('perfusion index 150448, compliance 151692, paw_min 151794, paw_mean without a code', () => {
    const mdcOf = (metric: string) => new Set(readings.filter((r) => r.metric === metric).map((r) => r.mdc));
    expect(mdcOf('perfusion_index')).toEqual(new Set([150448]));
    expect(mdcOf('compliance')).toEqual(new Set([151692]));
    expect(mdcOf('paw_min')).toEqual(new Set([151794]));
    expect(mdcOf('paw_mean')).toEqual(new Set([null]));
  });
});
