import { metricSpec } from '../core/metrics/index.js';
import type { DeviceKind } from '../core/reading.js';
import type { Priority, TechnicalCondition } from './types.js';

/**
 * The ONE table of technical-condition priorities. Reporters (drivers, the link owner, the BLE
 * central, the store, the hub) say WHAT happened (`code`, device, metric, text); they never say
 * how loud. The alarm engine resolves the priority here when the condition is raised.
 *
 * Device-kind awareness: a condition may carry the `kind` of its device (the driver context
 * adds it to everything a driver reports, and the link owner to `link_lost`). Without a `kind`,
 * a condition about a metric takes the kind of that metric in the catalogue (`stale_data` of a
 * ventilator metric is a ventilator condition). `byKind` entries win over `priority`.
 *
 * A config `alarms.technical` entry overrides the table per code (all kinds). A code missing from
 * the table is raised at medium (and test/safety/priority-table.test.ts fails the build: every
 * code a reporter raises must be listed here).
 *
 * Why ventilator conditions are high: IEC 60601-1-8 Table 1 sets the priority from the potential
 * result of failing to respond. For a patient on home ventilation, a ventilator the hub no longer
 * hears hides its own disconnection/apnoea alarms from the hub: possible death or irreversible
 * injury with immediate onset → high.
 */
export interface TechnicalEntry {
  priority: Priority;
  byKind?: Partial<Record<DeviceKind, Priority>>;
  /** Why this priority, in one line. */
  why: string;
}

const VENT_HIGH = { ventilator: 'high' } as const;
/** Devices the patient uses for a measurement now and then (issue 16): silence is their normal state. */
const SPOT_LOW = { bp: 'low', scale: 'low', glucometer: 'low' } as const;

export const TECHNICAL_CATALOGUE: Readonly<Record<string, TechnicalEntry>> = {
  // ---- device links (the link owner, src/hub/link-owner.ts) -----------------------------------
  link_lost: { priority: 'medium', byKind: VENT_HIGH, why: 'the device is unmonitored; a ventilator hides its own alarms from the hub' },
  serial_port_gone: { priority: 'medium', byKind: VENT_HIGH, why: 'the serial adapter or cable is gone: the device is unmonitored' },
  // ---- data (the alarm engine) ----------------------------------------------------------------
  stale_data: { priority: 'medium', byKind: { ...VENT_HIGH, ...SPOT_LOW }, why: 'no data must never look like good data; a paired ventilator without data is unmonitored; a blood pressure monitor, scale or glucose meter without data for days is a missed routine measurement (low)' },
  // ---- BLE adapter (src/transport/ble/noble-central.ts) ----------------------------------------
  ble_adapter_unavailable: { priority: 'high', why: 'every BLE device is unmonitored at once' },
  ble_adapter_stuck: { priority: 'high', why: 'the adapter stopped hearing devices after resets: every BLE device is unmonitored' },
  ble_pairing_required: { priority: 'medium', why: 'the sensor refuses its data until it is paired (again): that device is unmonitored until someone runs carehub pair' },
  // ---- oximeter sensor (drivers/oximeter-*) ----------------------------------------------------
  sensor_off_finger: { priority: 'medium', why: 'no SpO2 while the probe is off the finger' },
  sensor_disconnected: { priority: 'medium', why: 'no SpO2 while the probe is unplugged' },
  equipment_malfunction: { priority: 'medium', why: 'the oximeter reports a fault: its values may be wrong' },
  // ---- CGM annunciations (drivers/cgm-cgms/annunciations.ts) ----------------------------------
  cgm_session_stopped: { priority: 'medium', why: 'no glucose values until a new sensor session starts' },
  cgm_battery_low: { priority: 'low', why: 'the transmitter will stop soon; nothing is lost yet' },
  cgm_sensor_malfunction: { priority: 'medium', why: 'glucose values may be missing or wrong' },
  cgm_calibration_required: { priority: 'low', why: 'values continue; accuracy degrades until calibrated' },
  cgm_temperature: { priority: 'low', why: 'values are suspended or less accurate while out of range' },
  cgm_out_of_range: { priority: 'medium', why: 'the value is beyond what the sensor can measure (possibly very low or high)' },
  // ---- hub: configuration, storage, outputs ---------------------------------------------------
  config_invalid: { priority: 'high', why: 'the config file is unusable; the hub runs on last-known-good or defaults' },
  storage_full: { priority: 'high', why: 'readings and alarm events cannot be stored' },
  storage_error: { priority: 'high', why: 'the database cannot be written or read reliably' },
  storage_replaced: { priority: 'high', why: 'the database was deleted or replaced: unsent data and alarm state are gone' },
  storage_corrupt_recovered: { priority: 'high', why: 'a corrupt database was moved aside: its unsent data was not delivered' },
  storage_evicting: { priority: 'low', why: 'the byte budget drops the oldest delivered/high-rate rows' },
  annunciator_failed: { priority: 'medium', why: 'local alarms may go unheard at home' },
  alarm_engine_fault: { priority: 'high', why: 'an alarm evaluation threw: conditions may be missed until the fault is gone' },
  // ---- hub: optional parts --------------------------------------------------------------------
  uplink_unavailable: { priority: 'medium', why: 'the uplink could not start: nothing reaches the backend' },
  uplink_client_conflict: { priority: 'low', why: 'another hub with the same client id shares the broker in turns: data queues locally and is sent later; local alarms continue' },
  uplink_down: { priority: 'low', why: 'data queues locally and is sent later; local alarms continue' },
  schedule_unavailable: { priority: 'low', why: 'a housekeeping job could not be scheduled' },
  local_page_unavailable: { priority: 'low', why: 'the local page is not served; alarms continue' },
  control_socket_unavailable: { priority: 'medium', why: 'technicians and carers cannot list or acknowledge alarms with the CLI; monitoring and sound continue' },
  clock_unsynced: { priority: 'low', why: 'readings carry clock "unsynced"; alarm timing runs on the monotonic clock' },
};

/** Default priority of each code for devices of no particular kind (kept for existing imports). */
export const TECHNICAL_PRIORITIES: Readonly<Record<string, Priority>> = Object.fromEntries(
  Object.entries(TECHNICAL_CATALOGUE).map(([code, e]) => [code, e.priority]),
);

/** The kind a condition is about: its own `kind`, else the catalogue kind of its metric. */
function kindOf(c: Pick<TechnicalCondition, 'kind' | 'metric'>): DeviceKind | undefined {
  if (c.kind) return c.kind;
  return c.metric ? metricSpec(c.metric)?.kind : undefined;
}

/** Priority of a technical condition: config override, else the table (kind-aware), else medium. */
export function technicalPriority(c: Pick<TechnicalCondition, 'code' | 'kind' | 'metric'>, overrides: Readonly<Record<string, Priority>>): Priority {
  const o = overrides[c.code];
  if (o) return o;
  const e = TECHNICAL_CATALOGUE[c.code];
  if (!e) return 'medium';
  const kind = kindOf(c);
  return (kind && e.byKind?.[kind]) ?? e.priority;
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
