import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Annunciator } from './annunciators/types.js';
import type { AlarmsConfig } from './config-schema.js';
import type { AlarmPersistence } from './persistence.js';
import type { ActiveAlarm, AlarmCategory, AlarmEvent, Priority } from './types.js';

/** What the alarm engine is built from. */
export interface MetricInfo { intervalS: number; label: string; unit: string }

export interface AlarmEngineOptions {
  /** The resolved rule set (resolveAlarms(config.alarms)). */
  rules: AlarmsConfig;
  hubId: string;
  clock: Clock;
  log: Logger;
  /** Alarm state (active, latched, acknowledged) across restarts. */
  persistence?: AlarmPersistence;
  /** The accepted remote rule set (cmd/alarm-rules) across restarts. */
  rulesPersistence?: AlarmPersistence;
  /** How a remote section combines with the shipped defaults (default resolveAlarms). */
  resolve?: (section: AlarmsConfig) => AlarmsConfig;
  annunciators: Annunciator[];
  /** Interval, label and unit of a metric; default: the metric catalogue (src/core/metrics). */
  metric?(name: string): MetricInfo | undefined;
  /** Ids of the paired devices: restored data sources of any other device are dropped. */
  devices?: readonly string[];
  /** Every alarm event, after the annunciators: the hub stores it and sends it ahead of any backlog. */
  onEvent(ev: AlarmEvent): void;
  /** The active list whenever it changes (retained `alarms/active`). */
  onActive(list: ActiveAlarm[]): void;
}

/** What a rule or reporter asserts about one alarm condition. */
export interface Assertion {
  condition: string; category: AlarmCategory; device: string; metric: string | null; priority: Priority;
  value: number | null; limit: number | null; text: string; latching: boolean; escalateAfterS: number | undefined; source: string | undefined;
}

