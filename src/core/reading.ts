/**
 * The reading model: what a driver reports (a Measurement) and what the hub stores and
 * forwards (a Reading). A Measurement becomes a Reading in the pipeline, which adds the
 * deterministic id, the catalogue facts (MDC code, UCUM unit, lane) and the clock trust.
 */

export type DeviceKind = 'cgm' | 'oximeter' | 'ventilator' | 'bp' | 'scale' | 'glucometer';

/** What the measurement time `t` rests on (contract §3). */
export type ClockTrust = 'device' | 'hub' | 'unsynced';

/**
 * Outbox lanes, drained in this order. Lower number = more urgent.
 * 0: alarm events, 1: clinical readings, 2: high-rate data (waveforms).
 */
export type Lane = 0 | 1 | 2;
export const LANE_ALARM: Lane = 0;
export const LANE_CLINICAL: Lane = 1;
export const LANE_HIGHRATE: Lane = 2;

/** Flags a reading may carry. Drivers map their device status bits onto these. */
export type ReadingFlag =
  | 'early-estimate'
  | 'questionable'
  | 'invalid'
  | 'low-perfusion'
  | 'calibration'
  | 'device-clock-not-set'
  | 'stored'
  | 'out-of-device-range'
  | 'temperature'
  | 'setting'
  /** `t` lies outside the time sanity window around the synchronised hub clock (src/pipeline/time-sanity.ts). */
  | 'time-suspect'
  | 'demo'
  | 'test';

/** What a driver hands to the pipeline for one measured value. */
export interface Measurement {
  /** Metric name from the catalogue (src/core/metrics). */
  metric: string;
  /** The value in the catalogue's unit. */
  value: number;
  /**
   * Measurement time in ms since the epoch, from the device's own clock when it has one.
   * Absent: the pipeline uses the hub's receive time.
   */
  t?: number;
  /** True when `t` comes from the device's clock (then `clock` = 'device' if the hub is synced). */
  deviceTime?: boolean;
  /**
   * What identifies this measurement on the device, stable across re-reads and restarts
   * (e.g. `session:3f2a|offset:1440` for a CGM record, a sequence number, or the device
   * timestamp). Combined with device id and metric into the reading id.
   * Absent: the pipeline derives one from the device id, metric and `t` (needs `t`).
   */
  key?: string;
  flags?: ReadingFlag[];
  /** Waveform samples for high-rate metrics (value is then the mean of the samples). */
  samples?: number[];
  /** Interval between samples in ms, for waveforms. */
  periodMs?: number;
}

/** A reading as stored and published (contract §3). Times are ms since the epoch internally. */
export interface Reading {
  id: string;
  device: string;
  kind: DeviceKind;
  metric: string;
  mdc: number | null;
  value: number;
  unit: string;
  t: number;
  rx: number;
  clock: ClockTrust;
  flags: ReadingFlag[];
  lane: Lane;
  samples?: number[];
  periodMs?: number;
}

/** The JSON shape of a reading inside a published batch (contract §3). */
export interface ReadingJson {
  id: string;
  device: string;
  kind: DeviceKind;
  metric: string;
  mdc: number | null;
  value: number;
  unit: string;
  t: string;
  rx: string;
  clock: ClockTrust;
  flags: ReadingFlag[];
  samples?: number[];
  period_ms?: number;
}

export function readingToJson(r: Reading): ReadingJson {
  const j: ReadingJson = {
    id: r.id,
    device: r.device,
    kind: r.kind,
    metric: r.metric,
    mdc: r.mdc,
    value: r.value,
    unit: r.unit,
    t: new Date(r.t).toISOString(),
    rx: new Date(r.rx).toISOString(),
    clock: r.clock,
    flags: r.flags,
  };
  if (r.samples) j.samples = r.samples;
  if (r.periodMs !== undefined) j.period_ms = r.periodMs;
  return j;
}
