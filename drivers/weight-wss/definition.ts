import { bleAddressOf } from '../../src/transport/ble/sim-address.js';
import type { DriverDefinition } from '../types.js';
import { WSS } from './codec.js';
import { isWeightScenario } from './scenario.js';
import { createWssSession } from './session.js';
import { createWssSimulator } from './simulator.js';

/** Weight scale over the Bluetooth Weight Scale Service (0x181D). Scenarios: normal, weight-gain. */
export const definition: DriverDefinition = {
  id: 'wss',
  kind: 'scale',
  transport: 'ble',
  label: 'Weight scale (Bluetooth Weight Scale Service)',
  match: { serviceUuids: [WSS.service] },
  metrics: ['body_weight', 'bmi', 'body_height'],
  create: (ctx) => createWssSession(ctx),
  simulator: {
    transport: 'ble',
    create: (o) => {
      if (!isWeightScenario(o.scenario)) o.log.warn({ scenario: o.scenario }, 'unknown weight scale scenario; using normal');
      return createWssSimulator({
        address: bleAddressOf(o.device), name: `SIM-SCALE ${o.device.id}`, clock: o.clock,
        security: { level: 'encrypted' },
        scenario: isWeightScenario(o.scenario) ? o.scenario : 'normal',
        // The demo's patient steps on the scale every 60 s (a real one once a day); the first time
        // 5 s after power-up. The scale's memory already holds the two previous mornings'
        // weighings (taken while the hub was away), so a weight-gain shows at once.
        measureEveryMs: 60_000,
        firstMeasureAfterMs: 5_000,
        history: { count: 2, everyMs: 86_400_000 },
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      });
    },
  },
};
