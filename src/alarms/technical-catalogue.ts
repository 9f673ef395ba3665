import type { Priority } from './types.js';

/**
 * Default priority of every technical condition code the hub raises, in one table. A config
 * `alarms.technical` entry overrides it; an unknown code gets the reporter's priority, else medium.
 */
export const TECHNICAL_PRIORITIES: Readonly<Record<string, Priority>> = {
  // BLE adapter gone: every BLE device is unmonitored at once.
  ble_adapter_unavailable: 'high',
  // One device's link is lost (BLE disconnect that does not come back, serial silence).
  link_lost: 'medium',
  // The serial port of a device vanished (USB adapter pulled).
  serial_port_gone: 'medium',
  // No reading from a device+metric for N expected intervals (raised by the alarm engine).
  stale_data: 'medium',
  // Sensor problems reported by the drivers.
  sensor_off_finger: 'medium',
  sensor_problem: 'medium',
  sensor_expired: 'medium',
  sensor_warmup: 'low',
  device_battery_low: 'low',
  // Hub infrastructure.
  uplink_down: 'low',
  storage_evicting: 'low',
  storage_full: 'medium',
  storage_error: 'high',
  clock_unsynced: 'low',
  // A local alarm output does not work (no audio device, gpioset missing, a player that fails):
  // medium, because alarms may go unheard at home. Hubs without a speaker set `local.sound: false`.
  annunciator_failed: 'medium',
};

export function technicalPriority(code: string, reported: Priority | undefined, overrides: Readonly<Record<string, Priority>>): Priority {
  return overrides[code] ?? reported ?? TECHNICAL_PRIORITIES[code] ?? 'medium';
}

const TECHNICAL_WORDS = /batter|power|mains|fail|fault|error|sensor|calibrat|communicat|internal|service|memory|fan|temperat|self.?test|inoperative|technical/i;

/**
 * Category of a device's own alarm when the driver did not say: technical when its text names
 * an equipment problem, else physiological (the conservative default: shown as a patient alarm).
 */
export function deviceAlarmCategory(text: string): 'physiological' | 'technical' {
  return TECHNICAL_WORDS.test(text) ? 'technical' : 'physiological';
}

/** Condition name of a device alarm: `device_` + the device code in snake case. */
export function deviceConditionName(code: string): string {
  const s = code.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `device_${s || 'alarm'}`;
}
