import { describe, expect, it } from 'vitest';
import { MemoryPersistence } from '../../src/alarms/persistence.js';
import { rig } from './helpers.js';

// A device unpaired while the hub was down must not go stale (and alarm) forever after the restart:
// the engine drops restored data sources of devices that are no longer paired.
describe('restart after a device was unpaired', () => {
  it('raises stale_data only for devices still paired', () => {
    const state = new MemoryPersistence();
    const before = rig({ state, devices: ['oxi-1', 'oxi-2'] });
    before.stream('spo2', 97, 5, 1, 'oxi-1');
    before.stream('spo2', 97, 5, 1, 'oxi-2');
    before.engine.stop();

    const after = rig({ state, devices: ['oxi-1'] }); // oxi-2 unpaired meanwhile
    after.clock.advance(10 * 60_000); // well past the stale limit (30 × 1 s) and the restore grace
    const stale = after.events.filter((e) => e.event === 'raised' && e.condition === 'stale_data').map((e) => e.device);
    expect(stale).toEqual(['oxi-1']);
    after.engine.stop();
  });
});
