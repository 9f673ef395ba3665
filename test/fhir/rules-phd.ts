import type { Rule } from './rules.js';

/*
 * Rules of the HL7 Personal Health Device IG (github.com/HL7/phd, input/fsh at commit 5af8412,
 * published as http://hl7.org/fhir/uv/phd), transcribed as fhirpath. The source names the FSH file
 * and element; [notes] = input/intro-notes/StructureDefinition-PhdBaseObservation-notes.md.
 */
const BASE = 'PhdBaseObservation.fsh';
const OBS = "resourceType = 'Observation'";
const NUMERIC = "resourceType = 'Observation' and meta.profile contains 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdNumericObservation'";
const RTSA = "resourceType = 'Observation' and meta.profile contains 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdRtsaObservation'";
const PHD_DEVICE = "resourceType = 'Device' and meta.profile contains 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice'";
const PHG_DEVICE = "resourceType = 'Device' and meta.profile contains 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhgDevice'";
const MDC = "'urn:iso:std:iso:11073:10101'";
const UCUM = "'http://unitsofmeasure.org'";

export const PHD_RULES: readonly Rule[] = [
  { id: 'phd-profile', severity: 'error', source: `${BASE}: abstract base; an Observation claims PhdNumericObservation or PhdRtsaObservation`, applies: OBS,
    expr: "meta.profile.where($this = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdNumericObservation' or $this = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdRtsaObservation').count() = 1" },
  { id: 'phd-category', severity: 'error', source: `${BASE}: category contains PHD-Observation 1..1 (PhdObservationCategories#phd)`, applies: OBS,
    expr: "category.where(coding.where(system = 'http://hl7.org/fhir/uv/phd/CodeSystem/PhdObservationCategories' and code = 'phd').exists()).count() = 1" },
  { id: 'phd-gateway', severity: 'error', source: `${BASE}: extension contains observation-gatewayDevice named GatewayDevice 1..1, valueReference`, applies: OBS,
    expr: "extension.where(url = 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice').count() = 1 and extension.where(url = 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice').value.reference.exists()" },
  { id: 'phd-gateway-device', severity: 'error', source: `${BASE}: GatewayDevice is the reference to the PHG Device (PhgDevice.fsh)`, applies: OBS,
    expr: "%bundle.entry.where(fullUrl = %resource.extension.where(url = 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice').value.reference).resource.where(resourceType = 'Device' and meta.profile contains 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhgDevice').count() = 1" },
  { id: 'phd-mdc-1', severity: 'warning', source: `${BASE}: Invariant mdc-1 (warning): code has an MDC coding`, applies: OBS,
    expr: `code.coding.where(system = ${MDC}).exists()` },
  { id: 'phd-mdc-one', severity: 'error', source: `${BASE}: code.coding MDC slice at most one`, applies: OBS,
    expr: `code.coding.where(system = ${MDC}).count() <= 1` },
  { id: 'phd-mdc-display', severity: 'error', source: `${BASE}: code.text: display at least the reference identifier of the MDC code`, applies: `${OBS} and code.coding.where(system = ${MDC}).exists()`,
    expr: `code.coding.where(system = ${MDC}).display.startsWith('MDC_') and code.text = code.coding.where(system = ${MDC}).display` },
  { id: 'phd-loinc-vital', severity: 'error', source: `${BASE} (LoincCoding: required if the measurement is a vital sign; FHIR R4 vital signs)`, applies: `${OBS} and category.coding.where(code = 'vital-signs').exists()`,
    expr: "code.coding.where(system = 'http://loinc.org').exists()" },
  { id: 'phd-subject', severity: 'error', source: `${BASE}: subject 1.., reference to Patient or PhdDevice`, applies: OBS,
    expr: 'subject.reference.exists()' },
  { id: 'phd-subject-resolves', severity: 'error', source: `${BASE}: subject only Reference(Patient or PhdDevice)`, applies: `${OBS} and subject.reference.startsWith('urn:uuid:')`,
    expr: "%bundle.entry.where(fullUrl = %resource.subject.reference).resource.where(resourceType = 'Patient' or resourceType = 'Device').count() = 1" },
  { id: 'phd-effective', severity: 'error', source: `${BASE}: effective[x] 1.., dateTime or Period`, applies: OBS,
    expr: 'effectiveDateTime.exists() or effectivePeriod.exists()' },
  { id: 'phd-status', severity: 'error', source: `${BASE}: status final or preliminary; [notes] Measurement Status: invalid → entered-in-error`, applies: OBS,
    expr: "status = 'final' or status = 'preliminary' or status = 'entered-in-error'" },
  { id: 'phd-status-invalid', severity: 'error', source: '[notes] Measurement Status: Invalid → dataAbsentReason DAR#error and status entered-in-error', applies: `${OBS} and status = 'entered-in-error'`,
    expr: "dataAbsentReason.coding.where(system = 'http://terminology.hl7.org/CodeSystem/data-absent-reason' and code = 'error').exists() and value.empty()" },
  { id: 'phd-interpretation', severity: 'error', source: `${BASE}: interpretation.coding contains MsmtStatusInterpretation 1..1 (measurement-status)`, applies: `${OBS} and interpretation.exists()`,
    expr: "interpretation.all(coding.where(system = 'http://hl7.org/fhir/uv/pocd/CodeSystem/measurement-status' and code.exists()).count() = 1)" },
  { id: 'phd-preliminary', severity: 'error', source: '[notes] Measurement Status: Early-estimate → interpretation early-indication and status preliminary', applies: `${OBS} and interpretation.coding.where(code = 'early-indication').exists()`,
    expr: "status = 'preliminary'" },
  { id: 'phd-device', severity: 'error', source: `${BASE}: device 1.., reference 1..1 to the PHD Device`, applies: OBS,
    expr: 'device.reference.exists()' },
  { id: 'phd-device-resolves', severity: 'error', source: `${BASE}: device.reference points to a Device following the PhdDevice profile`, applies: OBS,
    expr: "%bundle.entry.where(fullUrl = %resource.device.reference).resource.where(resourceType = 'Device').count() = 1" },
  { id: 'phd-identifier', severity: 'error', source: `${BASE}: identifier[conditionalCreate] 0..1, type ..0, system = PhdBaseObservation, value 1..`, applies: OBS,
    expr: "identifier.where(system = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdBaseObservation').count() = 1 and identifier.where(system = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdBaseObservation').all(type.empty() and value.exists())" },
  { id: 'phd-htest', severity: 'error', source: `${BASE}: meta.security[PhdHtest] system v3-ActReason, code HTEST`, applies: `${OBS} and meta.security.exists()`,
    expr: "meta.security.where(system = 'http://terminology.hl7.org/CodeSystem/v3-ActReason' and code = 'HTEST').exists()" },
  { id: 'phd-htest-device', severity: 'error', source: '[notes] Measurement Status: Test-data → meta.security HTEST (the data of a simulated device is test data)', applies: OBS,
    expr: "%bundle.entry.where(fullUrl = %resource.device.reference).resource.meta.security.where(code = 'HTEST').exists() implies meta.security.where(code = 'HTEST').exists()" },
  { id: 'phd-numeric-value', severity: 'error', source: 'PhdNumericObservation.fsh: value[x] only Quantity; value 1.. unless dataAbsentReason', applies: NUMERIC,
    expr: 'valueQuantity.value.exists() or dataAbsentReason.exists()' },
  { id: 'phd-numeric-unit', severity: 'error', source: 'PhdNumericObservation.fsh: valueQuantity.system 1.. (system-is-mdc-or-ucum), code 1..', applies: `${NUMERIC} and valueQuantity.exists()`,
    expr: `(valueQuantity.system = ${UCUM} or valueQuantity.system = ${MDC}) and valueQuantity.code.exists()` },
  { id: 'phd-rtsa-value', severity: 'error', source: 'PhdRtsaObservation.fsh: value[x] only SampledData', applies: `${RTSA} and dataAbsentReason.empty()`,
    expr: 'valueSampledData.exists()' },
  { id: 'phd-rtsa-origin', severity: 'error', source: 'PhdRtsaObservation.fsh: valueSampledData.origin 1.., origin.value 1.., origin.system = UCUM, origin.code 1..', applies: `${RTSA} and valueSampledData.exists()`,
    expr: `valueSampledData.origin.value.exists() and valueSampledData.origin.system = ${UCUM} and valueSampledData.origin.code.exists()` },
  { id: 'phd-rtsa-factor', severity: 'error', source: 'PhdRtsaObservation.fsh: valueSampledData.factor 1..', applies: `${RTSA} and valueSampledData.exists()`,
    expr: 'valueSampledData.factor.exists()' },
  { id: 'phd-rtsa-period', severity: 'error', source: 'PhdRtsaObservation.fsh (and FHIR R4 SampledData.period 1..1): period > 0, dimensions set', applies: `${RTSA} and valueSampledData.exists()`,
    expr: 'valueSampledData.period > 0 and valueSampledData.dimensions >= 1' },
  // Devices
  { id: 'phd-device-identifier', severity: 'error', source: 'PhdDevice.fsh: identifier 1..', applies: PHD_DEVICE, expr: 'identifier.value.exists()' },
  { id: 'phd-device-type', severity: 'error', source: 'PhdDevice.fsh: type.coding[PhdCode] = MDC#65573', applies: PHD_DEVICE,
    expr: `type.coding.where(system = ${MDC} and code = '65573').count() = 1` },
  { id: 'phd-device-manufacturer', severity: 'error', source: 'PhdDevice.fsh: manufacturer 1.., modelNumber 1..', applies: PHD_DEVICE,
    expr: 'manufacturer.exists() and modelNumber.exists()' },
  { id: 'phd-device-specialization', severity: 'error', source: 'PhdDevice.fsh: specialization contains MDCType 1..; systemType.coding 1..; version 1..', applies: PHD_DEVICE,
    expr: `specialization.exists() and specialization.all(systemType.coding.where(system = ${MDC}).exists() and version.exists())` },
  { id: 'phd-device-version', severity: 'error', source: 'PhdDevice.fsh: version contains MDCType 1..* (type from MDCDeviceVersionTypes)', applies: PHD_DEVICE,
    expr: `version.where(type.coding.where(system = ${MDC}).exists() and value.exists()).exists()` },
  { id: 'phd-device-parent', severity: 'error', source: 'PhdDevice.fsh: parent ..0', applies: PHD_DEVICE, expr: 'parent.empty()' },
  { id: 'phd-device-btmac', severity: 'error', source: 'PhdDevice.fsh: identifier[btmacAddressIdentifier]: type BTMAC, system eui-48/bluetooth, value like 00-E5-DE-AD-77-C3', applies: "resourceType = 'Device' and identifier.where(system = 'http://hl7.org/fhir/sid/eui-48/bluetooth').exists()",
    expr: "identifier.where(system = 'http://hl7.org/fhir/sid/eui-48/bluetooth').all(type.coding.where(code = 'BTMAC').exists() and value.matches('^([0-9A-F]{2}-){5}[0-9A-F]{2}$'))" },
  { id: 'phg-type', severity: 'error', source: 'PhgDevice.fsh: type.coding[MDCType] = MDC#531981', applies: PHG_DEVICE,
    expr: `type.coding.where(system = ${MDC} and code = '531981').count() = 1` },
  { id: 'phg-identifier', severity: 'error', source: 'PhgDevice.fsh: identifier 1..', applies: PHG_DEVICE, expr: 'identifier.value.exists()' },
  { id: 'phg-version', severity: 'error', source: 'PhgDevice.fsh: version contains MDCType 1..*', applies: PHG_DEVICE,
    expr: `version.where(type.coding.where(system = ${MDC}).exists() and value.exists()).exists()` },
  { id: 'phg-specialization', severity: 'error', source: 'PhgDevice.fsh: specialization contains MDCType 1..*', applies: PHG_DEVICE,
    expr: `specialization.where(systemType.coding.where(system = ${MDC}).exists()).exists()` },
  // Bundle
  { id: 'phd-bundle-transaction', severity: 'error', source: 'ProfilesOverview.md: transaction Bundle with conditional creates to prevent duplicates', applies: "resourceType = 'Bundle'",
    expr: "type = 'transaction' and entry.all(request.method = 'POST' and request.ifNoneExist.exists() and fullUrl.startsWith('urn:uuid:'))" },
];
