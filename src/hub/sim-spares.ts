import type { Clock } from '../core/clock.js';
import { simulatedAddress } from '../transport/ble/sim-address.js';
import type { SimPeripheral } from '../transport/ble/types.js';

/** The passkey the spare simulated oximeter "displays" (the pairing wizard shows it as the device's screen). */
export const SPARE_PASSKEY = '123456';

/**
 * Simulated devices that advertise but are in no configuration: "on the shelf" of a hub whose
 * devices are simulated (the demo, tests), so that the console's pairing wizard has something to
 * pair. One pulse oximeter that asks for a passkey (authenticated pairing), not bonded. A spare
 * whose address a configured device already uses is left out.
 */
export async function spareSimPeripherals(clock: Clock, taken: ReadonlySet<string>): Promise<SimPeripheral[]> {
  const address = simulatedAddress('spare-oximeter');
  if (taken.has(address)) return [];
  const { PlxsSimulator } = await import('../../drivers/oximeter-plxs/simulator.js');
  return [new PlxsSimulator({
    address, name: 'SIM-PLX spare', clock, scenario: 'normal', spotCheckEveryMs: 0,
    security: { level: 'authenticated', passkey: SPARE_PASSKEY },
  })];
}
