import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { METRICS } from '../../src/core/metrics/index.js';
import type { ReadingJson } from '../../src/core/reading.js';
import { FhirBundler } from '../../src/uplink/fhir-bundle.js';
import { checkRules } from './rules.js';
import { FUT_RULES } from './rules-fut.js';
import { PHD_RULES } from './rules-phd.js';
import { fhirJsErrors, schemaErrors, ucumErrors } from './validate.js';

// Issue 16: readings of a blood pressure monitor, a weight scale and a blood glucose meter go out
// as PHD Observations with their MDC codes and as FUT Observations where FUT has an NPU/DNK code.

type Bundle = Record<string, unknown> & { entry: { resource: Record<string, unknown> & { resourceType: string } }[] };

const devices = configSchema.parse({
  hub: { id: 'hub-sim' }, uplink: { mqtt: { url: 'mqtt://127.0.0.1:1' } },
  devices: [
    { id: 'bp-1', kind: 'bp', transport: 'ble', protocol: 'bps', address: 'A0:E6:F8:10:20:30' },
    { id: 'scale-1', kind: 'scale', transport: 'ble', protocol: 'wss', address: 'C8:B2:1E:40:50:60' },
    { id: 'bg-1', kind: 'glucometer', transport: 'ble', protocol: 'gls', address: 'D4:36:39:70:80:90' },
  ],
}).devices;

const t = '2026-11-23T07:05:00.000Z';
const reading = (device: string, kind: ReadingJson['kind'], metric: string, value: number, i: number): ReadingJson => ({
  id: `r${i}`, device, kind, metric, mdc: METRICS.get(metric)?.mdc ?? null, value, unit: METRICS.get(metric)!.unit, t, rx: t, clock: 'device', flags: [],
});
const READINGS: ReadingJson[] = [
  reading('bp-1', 'bp', 'bp_systolic', 142, 1), reading('bp-1', 'bp', 'bp_diastolic', 91, 2), reading('bp-1', 'bp', 'bp_mean', 108, 3), reading('bp-1', 'bp', 'bp_pulse_rate', 66, 4),
  reading('scale-1', 'scale', 'body_weight', 81.25, 5), reading('scale-1', 'scale', 'bmi', 26.2, 6), reading('scale-1', 'scale', 'body_height', 1.76, 7),
  reading('bg-1', 'glucometer', 'capillary_glucose', 5.99, 8), reading('bg-1', 'glucometer', 'capillary_glucose_wb', 5.4, 9),
];

function bundle(format: 'fhir' | 'fut'): Bundle {
  const fhir = format === 'fhir'
    ? { patient: { reference: 'Patient/p-1' } }
    : { patient: { reference: 'https://patient.example.dk/fhir/Patient/5391' }, episodeOfCare: 'https://careplan.example.dk/fhir/EpisodeOfCare/98217', basedOn: 'https://careplan.example.dk/fhir/ServiceRequest/89218/_history/42', performer: 'https://patient.example.dk/fhir/Patient/5391' };
  const b = new FhirBundler({ hub: 'hub-sim', version: '1.2.3', format, fhir: fhir as never, devices });
  return JSON.parse(b.bundle(READINGS.map((r) => JSON.stringify(r)), Date.UTC(2026, 0, 1)).json) as Bundle;
}

const codesOf = (r: Record<string, unknown>): string[] => (r.code as { coding: { code: string }[] }).coding.map((c) => c.code);

describe('FHIR for the blood pressure monitor, weight scale and glucose meter', () => {
  it('fhir (PHD IG): every reading an Observation with its MDC code; schema, FHIR.js, UCUM and PHD rules clean', () => {
    const b = bundle('fhir');
    const obs = b.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Observation');
    expect(obs.map((r) => codesOf(r)[0])).toEqual(['150021', '150022', '150023', '149546', '188736', '188752', '188740', '160188', '160184']);
    expect(schemaErrors(b)).toEqual([]);
    expect(fhirJsErrors(b)).toEqual([]);
    expect(ucumErrors(b)).toEqual([]);
    expect(checkRules(b, PHD_RULES).filter((f) => f.severity === 'error')).toEqual([]);
    const specs = b.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Device').flatMap((r) => ((r.specialization ?? []) as { systemType: { coding: { code: string }[] } }[]).map((s) => s.systemType.coding[0]!.code));
    expect(new Set(specs)).toEqual(new Set(['528391', '528399', '528401']));
  });

  it('fut: the metrics FUT codes (DNK05472/3, NPU21692, NPU03804, NPU27281, NPU03794, NPU22089) pass every FUT rule; mean BP and whole-blood glucose are left out', () => {
    const b = bundle('fut');
    const obs = b.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Observation');
    expect(obs.map((r) => codesOf(r)[0])).toEqual(['DNK05472', 'DNK05473', 'NPU21692', 'NPU03804', 'NPU27281', 'NPU03794', 'NPU22089']);
    expect(checkRules(b, FUT_RULES)).toEqual([]);
    expect(schemaErrors(b)).toEqual([]);
    expect(ucumErrors(b)).toEqual([]);
  });
});
