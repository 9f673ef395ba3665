import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { simulatedAddress } from '../../../src/transport/ble/sim-address.js';
import { definition } from '../../../drivers/oximeter-berrymed/definition.js';
import type { SimPeripheral } from '../../../src/transport/ble/types.js';
import { simBench } from '../shared/ble-bench.js';
import { berrymedSessionFlows } from './session-flows.js';

describe('BerryMed session through noble and the simulated bindings', () => {
  berrymedSessionFlows(simBench);

  it('definition: a simulate: device is served by its simulator at the derived address', () => {
    const clock = new FakeClock();
    const device = { id: 'oxi-sim', kind: 'oximeter', transport: 'ble', simulate: 'desaturation', options: {} } as never;
    const p: SimPeripheral = definition.simulator!.transport === 'ble' ? definition.simulator!.create({ device, scenario: 'desaturation', clock, log: silentLogger() }) : (undefined as never);
    expect(p.address).toBe(simulatedAddress('oxi-sim'));
    expect(p.advertisedServices).toEqual(['49535343fe7d4ae58fa99fafd205e455']);
    p.stop();
  });
});
