import { describe, expect, it } from 'vitest';
import { allDrivers } from '../../../drivers/index.js';
import { createBpsSimulator } from '../../../drivers/bp-bps/simulator.js';
import { GlsSimulator } from '../../../drivers/glucose-gls/simulator.js';
import { createWssSimulator } from '../../../drivers/weight-wss/simulator.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import { scanSupported } from '../../../src/transport/ble/scan.js';
import { advance } from '../../helpers/fake-driver-context.js';

describe('carehub scan recognises the Blood Pressure, Weight Scale and Glucose services', () => {
  it('finds each simulated device with its kind and protocol from the driver registry', async () => {
    const clock = new FakeClock();
    const sims = [
      createBpsSimulator({ address: 'A0:E6:F8:10:20:30', name: 'SIM-BP', clock, scenario: 'normal', measureEveryMs: 0 }),
      createWssSimulator({ address: 'C8:B2:1E:40:50:60', name: 'SIM-SCALE', clock, scenario: 'normal', measureEveryMs: 0 }),
      new GlsSimulator({ address: 'D4:36:39:70:80:90', clock, scenario: 'normal', measureEveryMs: 0 }),
    ];
    const { central } = createSimulatedCentral(sims, { log: silentLogger(), clock });
    try {
      const p = scanSupported(central, await allDrivers(), 2);
      await advance(clock, 2500);
      const found = await p;
      expect(found.map((d) => [d.address, d.kind, d.protocol, d.services]).sort()).toEqual([
        ['A0:E6:F8:10:20:30', 'bp', 'bps', ['1810']],
        ['C8:B2:1E:40:50:60', 'scale', 'wss', ['181d']],
        ['D4:36:39:70:80:90', 'glucometer', 'gls', ['1808']],
      ]);
    } finally {
      for (const s of sims) s.stop();
      await central.close();
    }
  });
});
