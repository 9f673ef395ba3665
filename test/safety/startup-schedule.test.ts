import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/rig/broker.js';
import { HubProcess, waitFor } from '../helpers/hub-process.js';
import { startupConfig } from './startup-helpers.js';

// Issue 9 (10): `schedule.integrityCheck` was documented but never scheduled. Now the hub runs
// the store's integrity check on it (every 2 s here, 6-field cron).
describe('scheduled integrity check', () => {
  let dir: string;
  let hub: HubProcess | undefined;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'carehub-sched-')); });
  afterAll(async () => {
    await hub?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the store integrity check on schedule.integrityCheck', async () => {
    const cfg = startupConfig(dir, { url: `mqtt://127.0.0.1:${await freePort()}`, protocolVersion: 5, schedule: '{ integrityCheck: "*/2 * * * * *" }', device: '{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }' });
    hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir });
    hub.start();
    await waitFor(() => (hub!.log.match(/"msg":"integrity check passed"/g) ?? []).length >= 2, 45_000, 'two scheduled integrity checks');
    expect(hub.log).not.toContain('schedule_unavailable');
    expect(await hub.kill('SIGTERM')).toBe(0);
    hub = undefined;
  }, 90_000);
});
