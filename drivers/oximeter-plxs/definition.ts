import { simulatedAddress } from '../../src/transport/ble/sim-address.js';
import type { DriverDefinition } from '../types.js';
import { PLXS } from './codec.js';
import { isOxiScenario } from './scenario.js';
import { createPlxsSession } from './session.js';
import { PlxsSimulator } from './simulator.js';

/** Bluetooth SIG Pulse Oximeter Service (0x1822). */
export const definition: DriverDefinition = {
  id: 'plxs',
  kind: 'oximeter',
  transport: 'ble',
  label: 'Pulse oximeter (Bluetooth Pulse Oximeter Service)',
  match: { serviceUuids: [PLXS.service] },
  metrics: ['spo2', 'pulse_rate', 'perfusion_index'],
  create: (ctx) => createPlxsSession(ctx),
  simulator: {
    transport: 'ble',
    create: (o) => {
      if (!isOxiScenario(o.scenario)) o.log.warn({ scenario: o.scenario }, 'unknown oximeter scenario; using normal');
      return new PlxsSimulator({
      address: o.device.address ?? simulatedAddress(o.device.id),
      name: `SIM-PLX ${o.device.id}`,
      clock: o.clock,
      scenario: isOxiScenario(o.scenario) ? o.scenario : 'normal',
      ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      });
    },
  },
};
