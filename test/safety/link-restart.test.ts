import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { RESTORE_GRACE_MS } from '../../src/alarms/engine.js';
import { advance, fakeDriverContext } from '../helpers/fake-driver-context.js';

// Two production contexts on the same SQLite store: the hub before and after a restart.
const device = { id: 'vent-1', kind: 'ventilator' as const, transport: 'serial' as const, protocol: 'medibus' as const };

describe('link_lost across a hub restart', () => {
  it('a link_lost restored from before the restart ends at the first answer of the device, not after the restore grace', async () => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'carehub-link-restart-')), 'hub.db');
    const before = fakeDriverContext({ clock: new FakeClock(), device, storePath });
    before.linkFact({ fact: 'lost', detail: 'no answer on the serial line for 3 s' });
    expect(before.active('link_lost')?.priority).toBe('high');
    before.dispose();

    const clock = new FakeClock();
    const after = fakeDriverContext({ clock, device, storePath });
    expect(after.active('link_lost')?.priority).toBe('high'); // restored: still unmonitored until proven otherwise
    after.linkFact({ fact: 'reaching', detail: 'port open' });
    await advance(clock, 5000, 500);
    expect(after.technicalActive('link_lost')).toBe(true); // opening the port proves nothing
    after.linkFact({ fact: 'answered' });
    expect(after.technicalActive('link_lost')).toBe(false);
    expect(clock.mono()).toBeLessThan(RESTORE_GRACE_MS);
    expect(after.link()).toBe('connected');
  });

  it('a device that stays silent after the restart keeps its link_lost past the restore grace', async () => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'carehub-link-restart-')), 'hub.db');
    const before = fakeDriverContext({ clock: new FakeClock(), device, storePath });
    before.linkFact({ fact: 'lost', detail: 'serial port gone' });
    before.dispose();

    const clock = new FakeClock();
    const after = fakeDriverContext({ clock, device, storePath });
    after.linkFact({ fact: 'reaching', detail: 'port open' });
    await advance(clock, 3500, 500);
    after.linkFact({ fact: 'lost', detail: 'no answer on the serial line for 3 s' }); // the session's 3-second rule
    await advance(clock, RESTORE_GRACE_MS + 5000, 5000);
    expect(after.active('link_lost')?.priority).toBe('high');
    expect(after.alarmEvents.filter((e) => e.condition === 'link_lost' && e.event === 'cleared')).toHaveLength(0);
  });
});
