import type { BleConfig } from '../../config/schema.js';
import { bluezPresent } from './bluez-bus.js';

/** Which real BLE stack the hub uses, on which adapter, and why (logged once, shown in status). */
export interface BindingsChoice {
  bindings: 'bluez' | 'hci';
  adapter: string;
  reason: string;
}

/**
 * `ble.bindings: bluez | hci` is taken as configured. `auto` picks bluez on Linux when org.bluez
 * is on the system bus (bluetoothd owns the adapter there, and raw HCI would fight it), else hci.
 */
export async function chooseBindings(cfg: BleConfig, probe: () => Promise<{ present: boolean; why: string }> = bluezPresent, platform: string = process.platform): Promise<BindingsChoice> {
  if (cfg.bindings !== 'auto') return { bindings: cfg.bindings, adapter: cfg.adapter, reason: `configured (ble.bindings: ${cfg.bindings})` };
  if (platform !== 'linux') return { bindings: 'hci', adapter: cfg.adapter, reason: `auto: ${platform} has no BlueZ` };
  const p = await probe();
  return p.present
    ? { bindings: 'bluez', adapter: cfg.adapter, reason: `auto: ${p.why}` }
    : { bindings: 'hci', adapter: cfg.adapter, reason: `auto: ${p.why}` };
}
