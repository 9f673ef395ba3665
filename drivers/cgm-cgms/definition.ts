import { bleAddressOf } from '../../src/transport/ble/sim-address.js';
import type { DriverDefinition } from '../types.js';
import { CgmsSession } from './session.js';
import { createCgmSimulator } from './simulator.js';
import { CGMS } from './uuids.js';

/**
 * CGM over the Bluetooth Continuous Glucose Monitoring Service. Simulator scenarios: `normal`,
 * `hypo`, `hyper`, `fast-fall`; a `-fast` suffix (e.g. `hypo-fast`) runs the physiology 10×
 * faster at a 1-minute interval for the demo. The device's `options.crc` and
 * `options.quirks` apply to the simulated sensor too.
 */
export const definition: DriverDefinition = {
  id: 'cgms',
  kind: 'cgm',
  transport: 'ble',
  label: 'CGM (Bluetooth CGM Service)',
  match: { serviceUuids: [CGMS.SERVICE] },
  metrics: ['glucose', 'glucose_trend'],
  create: (ctx) => new CgmsSession(ctx),
  simulator: {
    transport: 'ble',
    create: (o) => {
      const crc = o.device.options.crc;
      return createCgmSimulator({
        clock: o.clock, log: o.log, scenario: o.scenario,
        address: bleAddressOf(o.device),
        crc: crc === 'mcrf4xx' || crc === 'ccitt-false' ? crc : null,
        warningFirst: o.device.options.quirks.includes('warning-first'),
        ...(o.device.options.intervalMin !== undefined ? { intervalMin: o.device.options.intervalMin } : {}),
      });
    },
  },
};
