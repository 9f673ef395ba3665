import type { DeviceKind, Reading } from '../core/reading.js';

export type Priority = 'high' | 'medium' | 'low';
export type AlarmCategory = 'physiological' | 'technical';
export type AlarmEventKind = 'raised' | 'escalated' | 'acknowledged' | 'paused' | 'cleared';

/** An alarm event as published on `carehub/{hub}/alarms/events` (contract §3). */
export interface AlarmEvent {
  v: 1;
  hub: string;
  /** Unique id of this event. */
  id: string;
  /** Id of the alarm instance (one occurrence of a condition, from raise to clear). */
  alarm: string;
  event: AlarmEventKind;
  priority: Priority;
  category: AlarmCategory;
  condition: string;
  device: string | null;
  metric: string | null;
  value: number | null;
  limit: number | null;
  t: string;
  text: string;
}

/** An entry of the retained active list (`carehub/{hub}/alarms/active`). */
export interface ActiveAlarm {
  alarm: string;
  priority: Priority;
  category: AlarmCategory;
  condition: string;
  device: string | null;
  metric: string | null;
  value: number | null;
  limit: number | null;
  since: string;
  /** Acknowledged: audio silenced for this occurrence (high priority: for ackTimeoutS). */
  acknowledged: boolean;
  /** A latching alarm whose condition has ended, held until reset (or acknowledged). */
  latched: boolean;
  text: string;
}

/**
 * A technical condition reported by any part of the hub (a driver, the BLE adapter, the store,
 * the uplink, the clock, an annunciator). `active: false` clears it. `code` is stable and
 * snake_case (e.g. `link_lost`, `ble_adapter_unavailable`, `sensor_off_finger`, `storage_evicting`).
 */
export interface TechnicalCondition {
  code: string;
  device?: string;
  /** The metric concerned, when the condition is about one (e.g. `stale_data`). */
  metric?: string;
  /**
   * The kind of the device concerned (the driver context sets it). The priority comes from the
   * technical catalogue (src/alarms/technical-catalogue.ts) by code and kind: reporters do not set one.
   */
  kind?: DeviceKind;
  active: boolean;
  text: string;
}

/** An alarm raised by the device itself (e.g. the ventilator), repeated by the hub. */
export interface DeviceAlarm {
  /** Device-side alarm code, stable per device (e.g. MEDIBUS `cp1:0x9A`). */
  code: string;
  priority: Priority;
  text: string;
  active: boolean;
  /** Set by the driver when known; otherwise derived from the text (equipment words → technical). */
  category?: AlarmCategory;
}

/** What the pipeline and the rest of the hub feed into the alarm system. */
export interface AlarmInputs {
  /** Called synchronously for every accepted reading, before it is stored. */
  onReading(r: Reading): void;
  technical(c: TechnicalCondition): void;
  deviceAlarm(device: string, a: DeviceAlarm): void;
}
