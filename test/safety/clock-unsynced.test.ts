import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Hub } from '../../src/hub/hub.js';
import { writeHubConfig } from '../helpers/hub-process.js';

// Hazard "clock unsynced" (docs/SAFETY.md): a running hub whose clock is not synchronised says so
// with clock_unsynced (low) and stamps its readings `clock: "unsynced"`; a synced one raises nothing.
// The whole hub (store, engine, pipeline, simulated oximeter through noble) with the real clock
// class, its synchronisation state fixed by its constructor.
describe('hub clock not synchronised', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'carehub-clock-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startHub(name: string, synced: boolean): Promise<{ hub: Hub; clocks: string[] }> {
    const sub = join(dir, name);
    mkdirSync(sub);
    const file = writeHubConfig(sub, 'mqtt://127.0.0.1:1', 5, ['{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }']);
    const loaded = loadConfigFile(file, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const clocks: string[] = [];
    const hub = await Hub.start({ config: loaded.config, log: silentLogger(), clock: new SystemClock(synced), onReading: (r) => clocks.push(r.clock), headless: true });
    return { hub, clocks };
  }

  it('raises clock_unsynced (low) and marks readings unsynced; a synced hub raises nothing', async () => {
    const a = await startHub('unsynced', false);
    const b = await startHub('synced', true);
    try {
      const deadline = Date.now() + 20_000;
      while ((a.clocks.length === 0 || b.clocks.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(a.hub.alarms.active().find((x) => x.condition === 'clock_unsynced')?.priority).toBe('low');
      expect(a.clocks.length).toBeGreaterThan(0);
      expect(new Set(a.clocks)).toEqual(new Set(['unsynced']));
      expect(b.hub.alarms.active().some((x) => x.condition === 'clock_unsynced')).toBe(false);
      expect(b.clocks.length).toBeGreaterThan(0);
      expect(b.clocks).not.toContain('unsynced');
    } finally {
      await a.hub.stop();
      await b.hub.stop();
    }
  });
});
