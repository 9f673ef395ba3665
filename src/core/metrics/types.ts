import type { DeviceKind, Lane } from '../reading.js';

/** One entry of the metric catalogue: everything the hub knows about a metric. */
export interface MetricSpec {
  /** Metric name used in readings, alarm rules and config. snake_case. */
  name: string;
  /** Human label for the terminal view, logs and alarm texts. */
  label: string;
  kind: DeviceKind;
  /** IEEE 11073-10101 code, or null where none exists. */
  mdc: number | null;
  /** Reference name of the MDC code and where it was checked. */
  mdcRef: string;
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
