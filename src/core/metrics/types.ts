import type { DeviceKind, Lane } from '../reading.js';

/** A code with the display text of its code system. */
export interface Coded {
  code: string;
  display: string;
}

/**
 * What a metric is called in the code systems a backend may expect (src/core/metrics/terminology.ts).
 * A code is set only where two independent sources agree; otherwise it is null and `mdcRef`
 * says why. docs/TERMINOLOGY.md is generated from these fields (scripts/gen-terminology.ts).
 */
export interface MetricTerms {
  /** IEEE 11073-10101 code (partition · 65536 + term code), or null where none is verified. */
  mdc: number | null;
  /** MDC reference identifier of `mdc` (e.g. MDC_PULS_OXIM_SAT_O2); null when `mdc` is null. */
  refId: string | null;
  /** The sources that agree on the MDC code (or why there is none). */
  mdcRef: string;
  /** LOINC codes; the first is the primary one. Vital signs carry the FHIR vital-signs code. */
  loinc: readonly Coded[];
  /** Danish NPU code (urn:oid:1.2.208.176.2.1) where the FUT observation-codes value set has one. */
  npu: Coded | null;
  /** True when FHIR R4 counts the metric among the vital signs (category vital-signs). */
  vitalSign: boolean;
  /** Sources of the LOINC and NPU codes. */
  sources: readonly string[];
}

/** A metric's own facts (everything but its codes). */
export interface MetricBase {
  /** Metric name used in readings, alarm rules and config. snake_case. */
  name: string;
  /** Human label for the terminal view, logs and alarm texts. */
  label: string;
  kind: DeviceKind;
  /** UCUM unit of `value`. */
  unit: string;
  /** Plausible physical range; values outside are rejected and counted, never stored as good. */
  min: number;
  max: number;
  /** Expected interval between readings in seconds (drives stale-data detection). */
  intervalS: number;
  lane: Lane;
  /** True for device settings (kept apart from measurements). */
  setting?: boolean;
}

/** One entry of the metric catalogue: everything the hub knows about a metric. */
export type MetricSpec = MetricBase & MetricTerms;
