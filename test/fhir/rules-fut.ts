import type { Rule } from './rules.js';

/*
 * Rules of FUT's ehealth-observation (github.com/fut-infrastructure/implementation-guide,
 * input/fsh/ehealth-observation.fsh and ehealth-ext-resolved-timing.fsh at commit fb755c26),
 * transcribed as fhirpath. `^type.aggregation = #referenced` means a literal reference to a
 * resource on the FUT servers (not a bundled urn:uuid).
 */
const SRC = 'ehealth-observation.fsh';
const OBS = "resourceType = 'Observation'";
/** NPU codes of FUT's NPU code system (input/resources/CodeSystem-urn-oid-1.2.208.176.2.1.json). */
const FUT_NPU = "('NPU03011' | 'NPU22089' | 'NPU27281' | 'NPU03804' | 'NPU21692' | 'NPU03794' | 'NPU03963' | 'NPU08676' | 'NPU19748' | 'DNK05472' | 'DNK05473')";
const referenced = (path: string, type: string) => `${path}.reference.exists() and ${path}.reference.startsWith('urn:').not() and ${path}.reference.matches('(^|/)(${type})/[^/]+(/_history/[^/]+)?$')`;

export const FUT_RULES: readonly Rule[] = [
  { id: 'fut-episode', severity: 'error', source: `${SRC}: extension[episodeOfCare] (workflow-episodeOfCare) 1..1, Reference(ehealth-episodeofcare), referenced`, applies: OBS,
    expr: `extension.where(url = 'http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare').count() = 1 and ${referenced("extension.where(url = 'http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare').value", 'EpisodeOfCare')}` },
  { id: 'fut-resolved-timing', severity: 'error', source: `${SRC}: extension[resolvedTiming] 1..1; ehealth-ext-resolved-timing.fsh: serviceRequestVersionId 1..1 (id), type 1..1`, applies: OBS,
    expr: "extension.where(url = 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-resolved-timing').count() = 1 and extension.where(url = 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-resolved-timing').extension.where(url = 'serviceRequestVersionId').value.matches('^[A-Za-z0-9\\\\-.]{1,64}$') and extension.where(url = 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-resolved-timing').extension.where(url = 'type').value.coding.exists()" },
  { id: 'fut-basedOn', severity: 'error', source: `${SRC}: basedOn 1..1, Reference(ehealth-servicerequest), referenced`, applies: OBS,
    expr: `basedOn.count() = 1 and ${referenced('basedOn', 'ServiceRequest')}` },
  { id: 'fut-code', severity: 'error', source: `${SRC}: code from http://ehealth.sundhed.dk/vs/observation-codes (NPU, urn:oid:1.2.208.176.2.1)`, applies: OBS,
    expr: `code.coding.where(system = 'urn:oid:1.2.208.176.2.1' and code in ${FUT_NPU}).exists()` },
  { id: 'fut-subject', severity: 'error', source: `${SRC}: subject 1..1, Reference(ehealth-patient), referenced`, applies: OBS,
    expr: `subject.count() = 1 and ${referenced('subject', 'Patient')}` },
  { id: 'fut-effective', severity: 'error', source: `${SRC}: effective[x] 1..1`, applies: OBS, expr: 'effective.exists()' },
  { id: 'fut-performer', severity: 'error', source: `${SRC}: performer 1..1, Reference(practitioner, organization, patient or relatedperson), referenced`, applies: OBS,
    expr: `performer.count() = 1 and ${referenced('performer', 'Practitioner|Organization|Patient|RelatedPerson')}` },
  { id: 'fut-value', severity: 'error', source: `${SRC}: value[x] only Quantity or CodeableConcept`, applies: OBS,
    expr: 'valueSampledData.empty() and valueString.empty() and valueInteger.empty() and (valueQuantity.exists() or valueCodeableConcept.exists())' },
  { id: 'fut-device', severity: 'error', source: `${SRC}: device only Reference(ehealth-device), referenced`, applies: `${OBS} and device.exists()`,
    expr: referenced('device', 'Device') },
];
