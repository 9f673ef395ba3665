import { bleAddressOf } from '../../src/transport/ble/sim-address.js';
import type { DriverDefinition } from '../types.js';
import { GLS } from './codec.js';
import { isGlucoseScenario } from './scenario.js';
import { createGlsSession } from './session.js';
import { GlsSimulator } from './simulator.js';

/** Blood glucose meter over the Bluetooth Glucose Service (0x1808). Scenarios: normal, hypo. */
export const definition: DriverDefinition = {
  id: 'gls',
  kind: 'glucometer',
  transport: 'ble',
  label: 'Blood glucose meter (Bluetooth Glucose Service)',
  match: { serviceUuids: [GLS.service] },
  metrics: ['capillary_glucose', 'capillary_glucose_wb'],
  create: (ctx) => createGlsSession(ctx),
  simulator: {
    transport: 'ble',
    create: (o) => {
      if (!isGlucoseScenario(o.scenario)) o.log.warn({ scenario: o.scenario }, 'unknown glucose meter scenario; using normal');
      return new GlsSimulator({
        address: bleAddressOf(o.device), name: `SIM-GLS ${o.device.id}`, clock: o.clock,
        // The Glucose Profile requires a bonded, encrypted link.
        security: { level: 'encrypted' },
        scenario: isGlucoseScenario(o.scenario) ? o.scenario : 'normal',
        // The demo's patient tests every 40 s.
        measureEveryMs: 40_000,
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      });
    },
  },
};
