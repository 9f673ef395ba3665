import type { Logger } from '../../src/core/log.js';
import { bleAddressOf } from '../../src/transport/ble/sim-address.js';
import { superviseBleLink } from '../../src/transport/ble/supervisor.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import type { DriverContext } from '../types.js';

/** Where pairing happens: noble's raw HCI stack cannot enter a passkey or keep a bond. */
const BLUEZ_NEEDED = ' (pairing and bonding need ble.bindings: bluez; the raw HCI stack cannot keep a bond or enter a passkey)';

/** Link timing a BLE driver may tune (tests shorten them). */
export interface BleLinkTuning {
  backoffMinMs?: number;
  backoffMaxMs?: number;
  lostAfterMs?: number;
}

/**
 * Keep a BLE device connected for a driver: `run` is called after every (re)connect. Without a
 * central (no adapter) the device is reported lost with the adapter condition, and null returned.
 */
export function superviseBleDevice(ctx: DriverContext, log: Logger, run: (conn: BleConnection) => Promise<void>, t: BleLinkTuning): { stop(): Promise<void> } | null {
  if (!ctx.ble) {
    ctx.linkFact({ fact: 'lost', detail: 'no BLE central' });
    ctx.technical({ code: 'ble_adapter_unavailable', active: true, text: 'BLE adapter unavailable' });
    return null;
  }
  return superviseBleLink({
    central: ctx.ble, address: bleAddressOf(ctx.device), log, clock: ctx.clock,
    linkFact: (f) => ctx.linkFact(f), run,
    bond: (b) => ctx.setBond?.(b),
    pairing: (p) => ctx.technical(p.required
      ? { code: 'ble_pairing_required', active: true, text: p.bondLost
        ? `The sensor no longer accepts the hub's bond (sensor replaced or bond removed on the sensor): run carehub pair${BLUEZ_NEEDED}`
        : `The sensor requires pairing: run carehub pair${BLUEZ_NEEDED}` }
      : { code: 'ble_pairing_required', active: false, text: 'Sensor paired and secured' }),
    ...(t.backoffMinMs !== undefined ? { backoffMinMs: t.backoffMinMs } : {}),
    ...(t.backoffMaxMs !== undefined ? { backoffMaxMs: t.backoffMaxMs } : {}),
    ...(t.lostAfterMs !== undefined ? { lostAfterMs: t.lostAfterMs } : {}),
  });
}
