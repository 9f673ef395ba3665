import type { AlarmInputs, DeviceAlarm, TechnicalCondition } from '../src/alarms/types.js';
import type { Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/log.js';
import type { DeviceKind, Measurement } from '../src/core/reading.js';
import type { DeviceConfig } from '../src/config/schema.js';
import type { BleCentral, BondState, SimPeripheral } from '../src/transport/ble/types.js';

export type LinkState = 'connected' | 'connecting' | 'lost';

/**
 * What a driver KNOWS about its link to the device. The hub's link owner (src/hub/link-owner.ts)
 * derives the link state and raises/clears `link_lost` from these facts and from data delivered
 * through `submit`; a driver never sets the state or `link_lost` itself.
 * - `reaching`: trying to reach the device (opening the port, BLE connecting, port open but the
 *   device has not answered yet). Never a recovery. `lostAfterMs`: raise `link_lost` when no
 *   proof of life arrives within this time (BLE; a serial driver says `lost` by its own rule).
 * - `answered`: the device itself answered (a valid protocol response, a completed GATT setup).
 * - `lost`: the driver's verdict: port gone, or the device silent past its protocol deadline.
 */
export type LinkFact =
  | { fact: 'reaching'; detail?: string; lostAfterMs?: number }
  | { fact: 'answered' }
  | { fact: 'lost'; detail: string };

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
   * The hub's IANA time zone (`hub.timezone`; 'UTC' when that is not a known zone). Devices that
   * keep local wall time without a zone (PLXS spot-check Date Time) are read in it
   * (drivers/shared/local-time.ts).
   */
  timeZone: string;
  /**
   * Hand measurements to the pipeline. Resolves once they are durably stored (or rejected as
   * implausible); only then may the driver treat them as taken (e.g. advance a backfill cursor).
   */
  submit(ms: Measurement[]): Promise<void>;
  /** A fact about the link (see LinkFact). Data delivered through `submit` counts as `answered`. */
  linkFact(f: LinkFact): void;
  setBattery(pct: number | null): void;
  reject(r: Rejection): void;
  /** A technical condition of this device (the context adds the device id and kind). */
  technical(c: Omit<TechnicalCondition, 'device' | 'kind'>): void;
  deviceAlarm(a: DeviceAlarm): void;
  state: DeviceState;
  /** The shared BLE central (BLE drivers only). */
  ble?: BleCentral;
  /** The host's bond state with this BLE device, as the stack reports it (shown in status). */
  setBond?(b: BondState): void;
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
  /** IANA zone a simulated device that keeps local wall time is set to (default 'UTC'). */
  timeZone?: string;
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
