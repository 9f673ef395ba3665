import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import ucum from '@lhncbc/ucum-lhc';
import { Fhir } from 'fhir';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';

/**
 * Independent checks of a Bundle (all offline): the official FHIR R4 JSON schema, FHIR.js
 * (structure and cardinalities of the R4 profiles it carries), NLM's UCUM library for every
 * unit code.
 */
const schema = new JSONSchemaValidator();
const fhirjs = new Fhir();
const units = ucum.UcumLhcUtils.getInstance();

export function schemaErrors(resource: unknown): string[] {
  return schema.validate(resource).map((e) => `${e.instancePath ?? e.dataPath ?? ''} ${e.message ?? ''}`.trim());
}

export function fhirJsErrors(resource: unknown): string[] {
  const r = fhirjs.validate(resource as Record<string, unknown>);
  return (r.messages ?? []).filter((m) => m.severity === 'error').map((m) => `${m.location ?? ''} ${m.message ?? ''}`.trim());
}

/** Every UCUM-system unit code in the Bundle that NLM's UCUM library does not accept. */
export function ucumErrors(bundle: unknown): string[] {
  const codes = fhirpath.evaluate(bundle, "descendants().where(system = 'http://unitsofmeasure.org').code", {}, r4) as string[];
  return [...new Set(codes)].filter((c) => units.validateUnitString(c).status !== 'valid');
}

/** Every unit code in the Bundle (to show the UCUM check ran over something). */
export function ucumCodes(bundle: unknown): string[] {
  return [...new Set(fhirpath.evaluate(bundle, "descendants().where(system = 'http://unitsofmeasure.org').code", {}, r4) as string[])];
}
