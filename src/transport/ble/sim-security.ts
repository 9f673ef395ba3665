import { norm } from './sim-bindings.js';
import type { SimSecurity } from './types.js';

/** ATT error codes a peripheral answers when the link lacks the security a characteristic needs. */
export const ATT_INSUFFICIENT_AUTHENTICATION = 0x05;
export const ATT_INSUFFICIENT_ENCRYPTION = 0x0f;

/** Characteristics of these services stay readable without security (Device Information, GAP, GATT). */
const OPEN_SERVICES = new Set(['180a', '1800', '1801']);

export type PairOutcome = { ok: true } | { ok: false; reason: 'authentication_failed' | 'rejected' };

/**
 * The security side of one simulated peripheral and the host that talks to it (LE Security
 * Mode 1): who holds keys, and whether the current link is encrypted. Shared by the simulated
 * noble bindings and the BlueZ-shaped test peer, so both paths see the same device behaviour.
 *
 * - `hostKeys`: the host (BlueZ / the bindings) keeps a bond (LTK) for the device.
 * - `peripheralBond`: the device keeps a bond for the host. Removing it on the device (sensor
 *   replaced, bond cleared) while the host still has keys is a lost bond: encryption fails.
 * - A bonded device refuses a new pairing from a host that already had a bond with it (the
 *   field behaviour that makes re-pairing on every connect impossible).
 */
export class SimSecurityState {
  hostKeys = false;
  peripheralBond = false;
  encrypted = false;

  constructor(readonly security: SimSecurity = { level: 'none' }) {}

  /** Both sides bonded before the test starts (a device paired earlier). */
  bondBothSides(): void { this.hostKeys = true; this.peripheralBond = true; }

  /** A new link: encrypted at once when both sides still hold the bond. */
  onConnect(): void { this.encrypted = this.hostKeys && this.peripheralBond; }

  onDisconnect(): void { this.encrypted = false; }

  /** Pairing over the current link. `passkey` is what the host's agent entered (authenticated level only). */
  pair(passkey: string | null): PairOutcome {
    if (this.security.level === 'authenticated' && passkey !== (this.security.passkey ?? '000000')) return { ok: false, reason: 'authentication_failed' };
    this.hostKeys = true;
    this.peripheralBond = true;
    this.encrypted = true;
    return { ok: true };
  }

  /** The host removes its keys (`unpair`). */
  removeHostKeys(): void { this.hostKeys = false; this.encrypted = false; }

  /** The device forgets the host (sensor replaced, bond cleared on the sensor). */
  forgetOnPeripheral(): void { this.peripheralBond = false; }

  /** ATT error for an access to this characteristic on the current link, or 0. */
  check(service: string): number {
    if (this.security.level === 'none' || this.encrypted || OPEN_SERVICES.has(norm(service))) return 0;
    return this.security.level === 'authenticated' ? ATT_INSUFFICIENT_AUTHENTICATION : ATT_INSUFFICIENT_ENCRYPTION;
  }
}
