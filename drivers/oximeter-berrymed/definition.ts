import { simulatedAddress } from '../../src/transport/ble/sim-address.js';
import { isOxiScenario } from '../oximeter-plxs/scenario.js';
import type { DriverDefinition } from '../types.js';
import { BERRYMED } from './codec.js';
import { createBerrymedSession } from './session.js';
import { BerrymedSimulator } from './simulator.js';

/** BerryMed BM1000-family fingertip oximeters (transparent-UART BLE service, 5-byte frames). */
export const definition: DriverDefinition = {
  id: 'berrymed',
  kind: 'oximeter',
  transport: 'ble',
  label: 'Pulse oximeter (BerryMed BM1000 family)',
  match: { serviceUuids: [BERRYMED.service], localNamePrefixes: ['BerryMed'] },
  metrics: ['spo2', 'pulse_rate', 'pleth'],
  create: (ctx) => createBerrymedSession(ctx),
  simulator: {
    transport: 'ble',
    create: (o) => {
      if (!isOxiScenario(o.scenario)) o.log.warn({ scenario: o.scenario }, 'unknown oximeter scenario; using normal');
      return new BerrymedSimulator({
        address: o.device.address ?? simulatedAddress(o.device.id),
        name: `BerryMed SIM ${o.device.id}`,
        clock: o.clock,
        scenario: isOxiScenario(o.scenario) ? o.scenario : 'normal',
      });
    },
  },
};
