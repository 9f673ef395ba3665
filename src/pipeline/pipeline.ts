import type { AlarmInputs } from '../alarms/types.js';
import type { Clock } from '../core/clock.js';
import { readingId } from '../core/ids.js';
import type { Logger } from '../core/log.js';
import { metricSpec } from '../core/metrics/index.js';
import type { ClockTrust, DeviceKind, Measurement, Reading } from '../core/reading.js';
import { checkPlausible } from './plausibility.js';
import { isTimeSuspect, TIME_SUSPECT_DEFAULTS, timeRangeProblem, type TimeSuspectWindow } from './time-sanity.js';

/** Where accepted readings go: the durable store. Resolves once they are synced to disk. */
export interface ReadingSink {
  submit(readings: Reading[]): Promise<unknown>;
}

export interface PipelineCounters {
  accepted: number;
  rejected: Record<string, number>;
}

export interface PipelineOptions {
  clock: Clock;
  log: Logger;
  alarms: AlarmInputs;
  sink: ReadingSink;
  /** Called after readings are durable (wakes the uplink). */
  onStored?(readings: Reading[]): void;
  /** Called for every accepted reading right after the alarm check (terminal view, status). */
  onAccepted?(r: Reading): void;
  onRejected?(device: string, metric: string, reason: string): void;
  /** Readings timed outside this window around the synced hub clock get `time-suspect` (config `hub.timeSuspect`). */
  timeSuspect?: TimeSuspectWindow;
}

/**
 * driver → plausibility → alarms (synchronous, first) → durable store → uplink.
 * The alarm check runs before the disk write, so a local alarm never waits on storage.
 */
export class Pipeline {
  private readonly counters = new Map<string, PipelineCounters>();
  /** Distinguishes hub-time keys of this process from those of earlier runs (clock steps). */
  private readonly runId = `${Date.now().toString(36)}.${process.pid.toString(36)}`;
  /** device|reason pairs already logged: a rejection is logged once per kind, then only counted. */
  private readonly logged = new Set<string>();

  constructor(private readonly opts: PipelineOptions) {}

  /** Turn a device's measurements into readings, alarm-check them and store them durably. */
  async submit(device: string, kind: DeviceKind, ms: Measurement[]): Promise<void> {
    const rx = this.opts.clock.now();
    const synced = this.opts.clock.synced();
    const accepted: Reading[] = [];
    const c = this.countersFor(device);
    for (const m of ms) {
      const spec = metricSpec(m.metric);
      const verdict = checkPlausible(m, spec);
      const timeProblem = m.t === undefined ? null : timeRangeProblem(m.t);
      if (!verdict.ok || !spec || timeProblem !== null) {
        const [reason, detail] = !verdict.ok ? [verdict.reason, verdict.detail]
          : !spec ? ['unknown_metric', `metric ${m.metric} is not in the catalogue`] : ['bad_time', timeProblem ?? ''];
        this.reject(device, m.metric, reason, detail, c);
        continue;
      }
      const t = m.t ?? rx;
      const clock: ClockTrust = !synced ? 'unsynced' : m.deviceTime && m.t !== undefined ? 'device' : 'hub';
      const flags = m.flags ?? [];
      const key = m.key ?? `run:${this.runId}|mono:${this.opts.clock.mono().toFixed(3)}|t:${t}`;
      const r: Reading = {
        id: readingId(device, m.metric, key),
        device,
        kind,
        metric: m.metric,
        mdc: spec.mdc,
        value: m.value,
        unit: spec.unit,
        t,
        rx,
        clock,
        flags: isTimeSuspect(t, rx, synced, this.window) && !flags.includes('time-suspect') ? [...flags, 'time-suspect'] : flags,
        lane: spec.lane,
      };
      if (m.samples) r.samples = m.samples;
      if (m.periodMs !== undefined) r.periodMs = m.periodMs;
      accepted.push(r);
      c.accepted++;
      this.opts.alarms.onReading(r);
      this.opts.onAccepted?.(r);
    }
    if (accepted.length === 0) return;
    await this.opts.sink.submit(accepted);
    this.opts.onStored?.(accepted);
  }

  private get window(): TimeSuspectWindow {
    return this.opts.timeSuspect ?? TIME_SUSPECT_DEFAULTS;
  }

  private reject(device: string, metric: string, reason: string, detail: string, c: PipelineCounters): void {
    c.rejected[reason] = (c.rejected[reason] ?? 0) + 1;
    const k = `${device}|${reason}`;
    if (!this.logged.has(k)) {
      this.logged.add(k);
      this.opts.log.warn({ device, metric, reason, detail }, 'measurement rejected (further ones of this kind only counted)');
    }
    this.opts.onRejected?.(device, metric, reason);
  }

  counts(device: string): PipelineCounters {
    return this.countersFor(device);
  }

  allCounts(): Record<string, PipelineCounters> {
    return Object.fromEntries(this.counters);
  }

  private countersFor(device: string): PipelineCounters {
    let c = this.counters.get(device);
    if (!c) { c = { accepted: 0, rejected: {} }; this.counters.set(device, c); }
    return c;
  }
}
