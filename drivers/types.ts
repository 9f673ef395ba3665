import type { AlarmInputs, DeviceAlarm, TechnicalCondition } from '../src/alarms/types.js';
import type { Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/log.js';
import type { DeviceKind, Measurement } from '../src/core/reading.js';
import type { DeviceConfig } from '../src/config/schema.js';
import type { BleCentral, SimPeripheral } from '../src/transport/ble/types.js';

export type LinkState = 'connected' | 'connecting' | 'lost';

/** Why a frame from a device was rejected (counted per device, visible in health/status). */
export interface Rejection {
  reason: string;
  at: number;
  /** Hex of the frame, for the debug log only. */
  hex?: string;
  /** Which codec/characteristic rejected it. */
  where?: string;
}

/** Small persistent key/value state per device (e.g. the CGM backfill cursor). Synchronous, durable. */
export interface DeviceState {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** Everything a driver session may use. Handed in by the hub; drivers own no globals. */
export interface DriverContext {
  device: DeviceConfig;
  hubId: string;
  log: Logger;
  clock: Clock;
  /**
   * Hand measurements to the pipeline. Resolves once they are durably stored (or rejected as
   * implausible); only then may the driver treat them as taken (e.g. advance a backfill cursor).
   */
  submit(ms: Measurement[]): Promise<void>;
  setLink(state: LinkState, detail?: string): void;
  setBattery(pct: number | null): void;
  reject(r: Rejection): void;
  technical(c: Omit<TechnicalCondition, 'device'>): void;
  deviceAlarm(a: DeviceAlarm): void;
  state: DeviceState;
  /** The shared BLE central (BLE drivers only). */
  ble?: BleCentral;
  /** For serial drivers: the resolved port path or tcp:// URL (a pty for simulated devices). */
  serialPath?: string;
}

export interface DriverSession {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SimOptions {
  device: DeviceConfig;
  scenario: string;
  clock: Clock;
  log: Logger;
}

/** A running simulated serial device: the driver connects to `path`. */
export interface SerialSimEndpoint {
  path: string;
  stop(): Promise<void>;
  /** Write raw bytes towards the driver, outside the protocol (rig fault injection). */
  inject?(bytes: Uint8Array): Promise<unknown>;
}

export type SimulatorFactory =
  | { transport: 'ble'; create(opts: SimOptions): SimPeripheral }
  | { transport: 'serial'; start(opts: SimOptions): Promise<SerialSimEndpoint> };

/** A driver: data about what it speaks and exposes, plus factories. */
export interface DriverDefinition {
  /** Protocol id used in config `protocol:` (e.g. `plxs`, `berrymed`, `cgms`, `medibus`). */
  id: string;
  kind: DeviceKind;
  transport: 'ble' | 'serial';
  label: string;
  /** For `carehub scan`: how to recognise the device in an advertisement. */
  match?: { serviceUuids?: string[]; localNamePrefixes?: string[] };
  /** Metric names (from the catalogue) this driver can report. */
  metrics: string[];
  create(ctx: DriverContext): DriverSession;
  simulator?: SimulatorFactory;
}

export type { AlarmInputs };
