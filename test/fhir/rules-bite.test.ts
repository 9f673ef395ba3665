import { describe, expect, it } from 'vitest';
import type { ReadingJson } from '../../src/core/reading.js';
import { FhirBundler } from '../../src/uplink/fhir-bundle.js';
import { checkRules } from './rules.js';
import { FUT_RULES } from './rules-fut.js';
import { PHD_RULES } from './rules-phd.js';
import { schemaErrors } from './validate.js';

// The checks of simulated-bundles.test.ts can fail: each rule bites on the defect issue 12 reported.

const r: ReadingJson = { id: 'r1', device: 'oxi-1', kind: 'oximeter', metric: 'spo2', mdc: 150456, value: 97, unit: '%', t: '2026-01-01T10:00:00.000Z', rx: '2026-01-01T10:00:01.000Z', clock: 'hub', flags: [] };
const wave: ReadingJson = { ...r, id: 'w1', metric: 'pleth', mdc: 150452, unit: '1', samples: [1, 2, 3], period_ms: 10 };

type B = { entry: { resource: Record<string, unknown> }[] };
function bundle(format: 'fhir' | 'fut' = 'fhir'): B {
  const b = new FhirBundler({ hub: 'h', version: '1', format, devices: [], fhir: { patient: { reference: 'https://x.dk/fhir/Patient/1' }, episodeOfCare: 'https://x.dk/fhir/EpisodeOfCare/2', basedOn: 'https://x.dk/fhir/ServiceRequest/3/_history/4', performer: 'https://x.dk/fhir/Patient/1' } });
  return JSON.parse(b.bundle([JSON.stringify(r), JSON.stringify(wave)], 0).json) as B;
}
const obs = (b: B, i = 0) => b.entry.filter((e) => e.resource.resourceType === 'Observation')[i]!.resource;
const rules = (b: B, set = PHD_RULES) => new Set(checkRules(b as unknown as Record<string, unknown>, set).map((f) => f.rule));

describe('PHD rules bite', () => {
  it('a conformant Bundle has no findings', () => {
    expect(rules(bundle())).toEqual(new Set());
  });
  it.each([
    ['subject', 'phd-subject'],
    ['extension', 'phd-gateway'],
    ['category', 'phd-category'],
    ['identifier', 'phd-identifier'],
  ])('without %s → %s', (field, rule) => {
    const b = bundle();
    delete obs(b)[field];
    expect(rules(b)).toContain(rule);
  });
  it('a logical device identifier instead of a reference → phd-device', () => {
    const b = bundle();
    obs(b).device = { identifier: { value: 'oxi-1' } };
    expect(rules(b)).toContain('phd-device');
  });
  it('no factor on a waveform → phd-rtsa-factor; MDC display not the reference id → phd-mdc-display', () => {
    const b = bundle();
    delete (obs(b, 1).valueSampledData as Record<string, unknown>).factor;
    ((obs(b).code as { coding: { display: string }[] }).coding[0]!).display = 'spo2';
    expect(rules(b)).toEqual(new Set(['phd-rtsa-factor', 'phd-mdc-display']));
  });
  it('a vital sign without LOINC → phd-loinc-vital; a simulated device\'s data without HTEST → phd-htest-device', () => {
    const b = bundle();
    const code = obs(b).code as { coding: { system: string }[] };
    code.coding = code.coding.filter((c) => c.system !== 'http://loinc.org');
    const dev = b.entry.find((e) => e.resource.resourceType === 'Device' && (e.resource.type as { text: string }).text === 'MDC_MOC_VMS_MDS_SIMP')!.resource;
    dev.meta = { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }] };
    expect(rules(b)).toEqual(new Set(['phd-loinc-vital', 'phd-htest-device']));
  });
  it('the R4 schema refuses an unknown element', () => {
    const b = bundle();
    obs(b).valueSampledDataX = 1;
    expect(schemaErrors(b).length).toBeGreaterThan(0);
  });
});

describe('FUT rules bite', () => {
  it('a bundled (urn:uuid) patient, a missing episodeOfCare and an MDC-only code are findings', () => {
    const b = bundle('fut');
    expect(rules(b, FUT_RULES)).toEqual(new Set());
    const o = obs(b);
    o.subject = { reference: 'urn:uuid:0000' };
    o.extension = (o.extension as { url: string }[]).filter((e) => !e.url.endsWith('workflow-episodeOfCare'));
    (o.code as { coding: unknown[] }).coding.shift();
    expect(rules(b, FUT_RULES)).toEqual(new Set(['fut-subject', 'fut-episode', 'fut-code']));
  });
});
