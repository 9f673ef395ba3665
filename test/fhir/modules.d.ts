// Types of the untyped validation devDependencies, as far as the tests use them.
declare module '@asymmetrik/fhir-json-schema-validator' {
  export default class JSONSchemaValidator {
    constructor();
    validate(resource: unknown): { instancePath?: string; dataPath?: string; message?: string }[];
  }
}

declare module '@lhncbc/ucum-lhc' {
  const ucum: {
    UcumLhcUtils: { getInstance(): { validateUnitString(unit: string): { status: string; msg: string[] } } };
  };
  export default ucum;
}
