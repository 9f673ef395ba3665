import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflight, uplinkProblems } from '../../src/config/preflight.js';
import { configSchema } from '../../src/config/schema.js';
import { METRICS, TERMINOLOGY } from '../../src/core/metrics/index.js';
import { renderTerminology } from '../../src/core/metrics/terminology-doc.js';
import type { ReadingJson } from '../../src/core/reading.js';
import { makeBatchEncoder } from '../../src/uplink/batch-encoder.js';
import { FhirBundler } from '../../src/uplink/fhir-bundle.js';
import { uplinkConfig } from './util.js';

const base: ReadingJson = { id: 'r1', device: 'oxi-1', kind: 'oximeter', metric: 'spo2', mdc: 150456, value: 97, unit: '%', t: '2026-01-01T10:00:00.000Z', rx: '2026-01-01T10:00:01.000Z', clock: 'device', flags: [] };
const realOximeter = { id: 'oxi-1', kind: 'oximeter', transport: 'ble', protocol: 'plxs', address: 'c4:7a:11:02:33:9e' } as const;

type Res = Record<string, unknown> & { resourceType: string };
function entries(readings: ReadingJson[], format: 'fhir' | 'fut' = 'fhir'): Res[] {
  const b = new FhirBundler({ hub: 'hub-1', version: '9.9.9', format, devices: [realOximeter], fhir: { patient: { reference: 'Patient/p1' }, episodeOfCare: 'EpisodeOfCare/e1', basedOn: 'ServiceRequest/s1/_history/7', performer: 'Patient/p1' } });
  return (JSON.parse(b.bundle(readings.map((r) => JSON.stringify(r)), 0).json) as { entry: { resource: Res }[] }).entry.map((e) => e.resource);
}
const observation = (r: ReadingJson) => entries([r]).find((e) => e.resourceType === 'Observation')!;

describe('fhir: measurement status as the PHD IG maps it', () => {
  it('invalid → no value, dataAbsentReason error, entered-in-error', () => {
    const o = observation({ ...base, flags: ['invalid'] });
    expect(o).toMatchObject({ status: 'entered-in-error', dataAbsentReason: { coding: [{ code: 'error' }] } });
    expect(o.valueQuantity).toBeUndefined();
  });
  it('questionable, calibration, early estimate → interpretation; early estimate is preliminary; no carehub tags for them', () => {
    const o = observation({ ...base, flags: ['questionable', 'calibration', 'early-estimate', 'stored'] });
    expect(o.status).toBe('preliminary');
    expect((o.interpretation as { coding: { code: string }[] }[]).map((i) => i.coding[0]!.code)).toEqual(['questionable', 'calibration-ongoing', 'early-indication']);
    expect((o.meta as { tag: { code: string }[] }).tag.map((t) => t.code)).toEqual(['device', 'stored']);
  });
  it('test or demo data from a real device → HTEST; plain data of a real device is not HTEST', () => {
    expect((observation({ ...base, flags: ['test'] }).meta as { security?: unknown }).security).toEqual([expect.objectContaining({ code: 'HTEST' })]);
    expect((observation(base).meta as { security?: unknown }).security).toBeUndefined();
  });
  it('a device setting has the device as subject', () => {
    const o = observation({ ...base, device: 'vent-1', kind: 'ventilator', metric: 'peep_set', mdc: null, unit: 'mbar', flags: ['setting'] });
    expect((o.subject as { reference: string }).reference).toBe((o.device as { reference: string }).reference);
  });
  it('the IG conditional-create identifier: address-patient-code-seconds since 2000', () => {
    const o = observation(base);
    expect(o.identifier).toEqual([{ system: 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdBaseObservation', value: 'C47A1102339E-p1-150456-820576800.000' }]);
  });
});

describe('fhir: devices from the identity the hub has', () => {
  it('a real BLE sensor: BTMAC identifier, no invented manufacturer/model, no PhdDevice claim; the hub as PhgDevice', () => {
    const devs = entries([base]).filter((e) => e.resourceType === 'Device');
    const hub = devs.find((d) => (d.type as { text: string }).text === 'MDC_MOC_VMS_MDS_AHD')!;
    const sensor = devs.find((d) => (d.type as { text: string }).text === 'MDC_MOC_VMS_MDS_SIMP')!;
    expect(hub).toMatchObject({ meta: { profile: ['http://hl7.org/fhir/uv/phd/StructureDefinition/PhgDevice'] }, version: [{ value: '9.9.9' }] });
    expect(sensor.identifier).toContainEqual(expect.objectContaining({ system: 'http://hl7.org/fhir/sid/eui-48/bluetooth', value: 'C4-7A-11-02-33-9E' }));
    expect(sensor.manufacturer).toBeUndefined();
    expect(sensor.modelNumber).toBeUndefined();
    expect(sensor.meta).toBeUndefined();
  });
  it('the same batch encodes to the same Bundle (fullUrls and conditional creates are stable)', () => {
    expect(JSON.stringify(entries([base, { ...base, id: 'r2', t: '2026-01-01T10:00:01.000Z' }]))).toBe(JSON.stringify(entries([base, { ...base, id: 'r2', t: '2026-01-01T10:00:01.000Z' }])));
  });
  it('an unreadable payload is skipped and counted, the rest is sent', () => {
    const b = new FhirBundler({ hub: 'h', version: '1', format: 'fhir', devices: [], fhir: { patient: { reference: 'Patient/p1' } } });
    const res = b.bundle(['{not json', JSON.stringify(base)], 0);
    expect(res).toMatchObject({ observations: 1, skipped: { 'unreadable-payload': 1 } });
  });
});

describe('fut: only what FUT has codes for', () => {
  it('glucose, waveforms and invalid readings are skipped with their reason; SpO2 goes with NPU, MDC and LOINC', () => {
    const b = new FhirBundler({ hub: 'h', version: '1', format: 'fut', devices: [], fhir: { patient: { reference: 'Patient/p1' }, episodeOfCare: 'EpisodeOfCare/e1', basedOn: 'ServiceRequest/s1/_history/7', performer: 'Patient/p1' } });
    const rs = [base, { ...base, id: 'g', kind: 'cgm', metric: 'glucose', mdc: 160212, unit: 'mmol/L' }, { ...base, id: 'w', metric: 'pleth', samples: [1], period_ms: 10 }, { ...base, id: 'i', flags: ['invalid'] }] as ReadingJson[];
    const res = b.bundle(rs.map((r) => JSON.stringify(r)), 0);
    expect(res).toMatchObject({ observations: 1, skipped: { 'no-fut-code': 2, invalid: 1 } });
    const o = (JSON.parse(res.json) as { entry: { resource: Res }[] }).entry[0]!.resource;
    expect((o.code as { coding: { code: string }[] }).coding.map((c) => c.code)).toEqual(['NPU03011', '150456', '59408-5', '2708-6']);
    expect(o.basedOn).toEqual([{ reference: 'ServiceRequest/s1' }]);
  });
});

describe('config: what each format needs', () => {
  const mqtt = { url: 'mqtt://127.0.0.1:1883' };
  it('json needs nothing; fhir needs the patient; fut needs patient reference, episodeOfCare, versioned basedOn, performer', () => {
    expect(uplinkProblems(uplinkConfig(mqtt))).toEqual([]);
    expect(uplinkProblems(uplinkConfig(mqtt, { format: 'fhir' })).map((p) => p.path)).toEqual(['uplink.fhir.patient']);
    expect(uplinkProblems(uplinkConfig(mqtt, { format: 'fhir', fhir: { patient: { identifier: { system: 'urn:x', value: '1' } } } }))).toEqual([]);
    expect(uplinkProblems(uplinkConfig(mqtt, { format: 'fut', fhir: { patient: { identifier: { system: 'urn:x', value: '1' } }, basedOn: 'ServiceRequest/1' } })).map((p) => p.path))
      .toEqual(['uplink.fhir.patient.reference', 'uplink.fhir.episodeOfCare', 'uplink.fhir.basedOn', 'uplink.fhir.performer']);
  });
  it('fut warns about configured devices whose metrics FUT cannot take', () => {
    const c = configSchema.parse({ hub: { id: 'h' }, storage: { path: '/tmp/x.db' }, uplink: { mqtt, format: 'fut', fhir: { patient: { reference: 'Patient/1' }, episodeOfCare: 'EpisodeOfCare/1', basedOn: 'ServiceRequest/1/_history/1', performer: 'Patient/1' } }, devices: [{ id: 'c', kind: 'cgm', transport: 'ble', simulate: 'normal' }] });
    expect(preflight(c).warnings.some((w) => w.includes('cgm metrics glucose, glucose_trend'))).toBe(true);
  });
  it('references are bounded and typed; patient is a reference or an identifier, not both', () => {
    const parse = (fhir: unknown) => configSchema.shape.uplink.safeParse({ mqtt, format: 'fhir', fhir }).success;
    expect(parse({ patient: { reference: 'Patient/1' } })).toBe(true);
    expect(parse({ patient: { reference: `https://x.dk/${'a/'.repeat(520)}Patient/1` } })).toBe(false);
    expect(parse({ patient: { reference: 'Practitioner/1' } })).toBe(false);
    expect(parse({ patient: { reference: 'Patient/1', identifier: { system: 'urn:x', value: '1' } } })).toBe(false);
    expect(parse({ patient: { identifier: { system: 'urn:x', value: 'v'.repeat(257) } } })).toBe(false);
  });
  it('json keeps the contract §3 payload byte for byte', () => {
    const enc = makeBatchEncoder({ config: uplinkConfig(mqtt), hubId: 'h', version: '1', now: () => 0 });
    const p = JSON.stringify(base);
    expect(enc.encode([p]).body.toString()).toBe(`{"v":1,"hub":"h","readings":[${p}]}`);
  });
});

describe('terminology', () => {
  it('every catalogue metric has a row; a code has a reference id and sources', () => {
    expect(Object.keys(TERMINOLOGY).sort()).toEqual([...METRICS.keys()].sort());
    for (const m of METRICS.values()) {
      expect(m.refId === null).toBe(m.mdc === null);
      expect(m.mdcRef.length).toBeGreaterThan(0);
      if (m.vitalSign) expect(m.loinc.length).toBeGreaterThan(0);
    }
  });
  it('the corrections name two sources each', () => {
    for (const name of ['perfusion_index', 'compliance', 'paw_min']) expect(METRICS.get(name)!.mdcRef).toMatch(/\[[A-Z0-9]+\].*\[[A-Z0-9]+\]/);
    expect(METRICS.get('paw_mean')!.mdc).toBeNull();
    expect(METRICS.get('glucose_trend')!.mdc).toBeNull();
  });
  it('docs/TERMINOLOGY.md is current (npm run terminology)', () => {
    expect(readFileSync(join(import.meta.dirname, '../../docs/TERMINOLOGY.md'), 'utf8')).toBe(renderTerminology());
  });
});
