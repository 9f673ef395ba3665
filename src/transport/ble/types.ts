/**
 * The BLE port that drivers use. Implemented over noble (`@stoprocent/noble`) with either the
 * real HCI bindings or the simulated bindings (which host SimPeripherals). UUIDs are noble-style:
 * lowercase hex without dashes; 16-bit ones as 4 digits (`1822`, `2a5f`).
 */
export type AdapterState = 'unknown' | 'resetting' | 'unsupported' | 'unauthorized' | 'poweredOff' | 'poweredOn' | 'unavailable';

export interface Advert {
  address: string;
  name: string | null;
  rssi: number;
  serviceUuids: string[];
  manufacturerData: Uint8Array | null;
}

export interface BleCentral {
  state(): AdapterState;
  /** Resolves when the adapter is powered on; rejects after `timeoutMs` otherwise. */
  ready(timeoutMs: number): Promise<void>;
  scan(seconds: number, onAdvert: (a: Advert) => void): Promise<void>;
  /** Connect and discover all services/characteristics. One attempt at a time hub-wide. */
  connect(address: string, timeoutMs: number): Promise<BleConnection>;
  onStateChange(fn: (s: AdapterState) => void): () => void;
  close(): Promise<void>;
}

/**
 * What the host knows of its bond with a device: `bonded` (keys stored), `paired` (paired, no
 * stored keys), `none`, or `unknown` when the bindings cannot tell (noble's raw HCI bindings).
 */
export type BondState = 'bonded' | 'paired' | 'none' | 'unknown';

export interface BleConnection {
  readonly address: string;
  /** Whether the host holds a bond (keys) for this device; null when the bindings cannot tell. */
  bonded(): Promise<boolean | null>;
  /** The host's bond state for this device (see BondState). */
  bond(): Promise<BondState>;
  has(service: string, characteristic: string): boolean;
  read(service: string, characteristic: string): Promise<Uint8Array>;
  write(service: string, characteristic: string, data: Uint8Array, withoutResponse?: boolean): Promise<void>;
  /** Enable notifications or indications (whichever the characteristic has). */
  subscribe(service: string, characteristic: string, onData: (data: Uint8Array) => void): Promise<void>;
  onDisconnect(fn: (reason: string) => void): void;
  disconnect(): Promise<void>;
}

export type SimProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify' | 'indicate';

export interface SimCharacteristic {
  uuid: string;
  properties: SimProperty[];
  onRead?(): Uint8Array;
  /** Return an ATT error code (e.g. 0x80+) to refuse the write, or nothing on success. */
  onWrite?(data: Uint8Array): number | void;
  /** The central enabled (true) or disabled notifications/indications (e.g. a monitor then sends its stored measurements). */
  onSubscribe?(enabled: boolean): void;
}

export interface SimService {
  uuid: string;
  characteristics: SimCharacteristic[];
}

/** What the simulated bindings give a peripheral while a central is connected. */
export interface SimLink {
  /** Send a notification/indication (only delivered if the central subscribed). */
  notify(service: string, characteristic: string, data: Uint8Array): void;
  /** The peripheral drops the link (e.g. reboot). */
  disconnect(reason: string): void;
}

/** LE security a simulated peripheral asks for on its characteristics (Device Information stays open). */
export type SimSecurityLevel = 'none' | 'encrypted' | 'authenticated';

export interface SimSecurity {
  level: SimSecurityLevel;
  /** Six digits the device displays (authenticated level; default 000000). */
  passkey?: string;
}

/** A simulated GATT peripheral hosted by the simulated noble bindings. */
export interface SimPeripheral {
  address: string;
  name: string;
  /** Security the device requires; none when absent. */
  security?: SimSecurity;
  rssi(): number;
  advertisedServices: string[];
  services: SimService[];
  /** False while out of range: no adverts, connections fail, an open link is lost. */
  inRange(): boolean;
  /** Called when a central connects / disconnects. */
  attach(link: SimLink): void;
  detach(): void;
  /** Stop the device's own timers. */
  stop(): void;
}
