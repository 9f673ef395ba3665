import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { freePort } from '../../src/rig/broker.js';
import { HubProcess, waitFor } from '../helpers/hub-process.js';
import { startupConfig } from './startup-helpers.js';

// Issue 9 (9): SIGHUP killed the hub at once, with no log line and no clean stop. Now it is
// logged (reload is not supported) and the hub keeps monitoring; SIGTERM still stops it cleanly.
describe('signals on a running hub', () => {
  let dir: string;
  let hub: HubProcess | undefined;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'carehub-sig-')); });
  afterAll(async () => {
    await hub?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGHUP is logged once and ignored; the hub keeps answering; SIGTERM stops it with exit 0', async () => {
    // no broker at all: the hub must run (and take signals) regardless
    const cfg = startupConfig(dir, { url: `mqtt://127.0.0.1:${await freePort()}`, protocolVersion: 5, device: '{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }' });
    const sock = join(dir, 'control.sock');
    hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir });
    hub.start();
    await waitFor(() => hub!.log.includes('"hub started"'), 45_000, 'the hub to start');
    hub.signal('SIGHUP');
    hub.signal('SIGHUP');
    await waitFor(() => hub!.log.includes('SIGHUP received'), 10_000, 'the SIGHUP log line');
    await new Promise((r) => setTimeout(r, 2000));
    expect(hub.running).toBe(true);
    expect(hub.log.match(/SIGHUP received/g)).toHaveLength(1);
    const s = (await controlRequest(sock, 'status')) as { hub: string; devices: Array<{ id: string; link: string }> };
    expect(s.hub).toBe('hub-safe');
    expect(s.devices[0]?.id).toBe('oxi-1');
    hub.signal('SIGTERM');
    expect(await hub.exited(30_000)).toBe(0);
    expect(hub.log).toContain('"why":"SIGTERM"');
    expect(hub.log).toContain('"msg":"stopped"');
    hub = undefined;
  }, 120_000);
});
