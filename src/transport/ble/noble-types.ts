import type { EventEmitter } from 'node:events';
import type { BondState } from './types.js';

/**
 * Narrow typed views of the parts of noble (`@stoprocent/noble/lib/noble.js`) that carehub
 * uses. noble ships no types for its lib/ modules; these are checked only at the one place
 * where the modules are loaded (noble-loader.ts).
 */
export interface NobleCharacteristic extends EventEmitter {
  uuid: string;
  properties: string[];
  readAsync(): Promise<Buffer>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
  subscribeAsync(): Promise<void>;
}

export interface NobleService {
  uuid: string;
  characteristics: NobleCharacteristic[] | null;
}

export interface NoblePeripheral extends EventEmitter {
  id: string;
  address: string;
  rssi: number;
  state: string;
  advertisement: { localName?: string; serviceUuids?: string[]; manufacturerData?: Buffer };
  discoverAllServicesAndCharacteristicsAsync(): Promise<{ services: NobleService[]; characteristics: NobleCharacteristic[] }>;
  disconnectAsync(): Promise<void>;
}

export interface NobleInstance extends EventEmitter {
  readonly state: string;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  connectAsync(idOrAddress: string, parameters?: object): Promise<NoblePeripheral>;
  cancelConnect(idOrAddress: string, parameters?: object): void;
  reset(): void;
  stop(): void;
}

/** The bindings object noble drives; SimulatedBindings and the HCI bindings both fit. */
export interface NobleBindingsLike extends EventEmitter {
  start(): void;
  stop?(): void;
  reset?(): void;
  /** Whether the host holds keys for a device (noble id); absent or null when unknown. */
  bonded?(id: string): boolean | null | Promise<boolean | null>;
  /** The host's bond state for a device (noble id), for status; absent when the bindings cannot tell. */
  bondState?(id: string): BondState | Promise<BondState>;
}

export type NobleConstructor = new (bindings: NobleBindingsLike) => NobleInstance;
