import { bleAddressOf } from '../../src/transport/ble/sim-address.js';
import type { DriverDefinition } from '../types.js';
import { BPS } from './codec.js';
import { isBpScenario } from './scenario.js';
import { createBpsSession } from './session.js';
import { createBpsSimulator } from './simulator.js';

/** Blood pressure monitor over the Bluetooth Blood Pressure Service (0x1810). Scenarios: normal, hypertension. */
export const definition: DriverDefinition = {
  id: 'bps',
  kind: 'bp',
  transport: 'ble',
  label: 'Blood pressure monitor (Bluetooth Blood Pressure Service)',
  match: { serviceUuids: [BPS.service] },
  metrics: ['bp_systolic', 'bp_diastolic', 'bp_mean', 'bp_pulse_rate'],
  create: (ctx) => createBpsSession(ctx),
  simulator: {
    transport: 'ble',
    create: (o) => {
      if (!isBpScenario(o.scenario)) o.log.warn({ scenario: o.scenario }, 'unknown blood pressure scenario; using normal');
      return createBpsSimulator({
        address: bleAddressOf(o.device), name: `SIM-BP ${o.device.id}`, clock: o.clock,
        // Monitors bond before they hand over measurements (encrypted link).
        security: { level: 'encrypted' },
        scenario: isBpScenario(o.scenario) ? o.scenario : 'normal',
        // The demo's patient measures every 45 s (a real one twice a day).
        measureEveryMs: 45_000,
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      });
    },
  },
};
