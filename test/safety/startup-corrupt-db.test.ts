import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { Backend, HubProcess, waitFor } from '../helpers/hub-process.js';
import { startupConfig, waitForAlarm } from './startup-helpers.js';

// Issue 9 (2): a corrupt database at start-up. The old hub used its pending-condition list before
// declaring it, start-up failed, and on the restart the file was already moved aside, so
// storage_corrupt_recovered was never raised anywhere.
describe(`start-up with a corrupt database (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker'})`, () => {
  let broker: TestBroker;
  let dir: string;
  let hub: HubProcess | undefined;
  let backend: Backend | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-corrupt-'));
    broker = await startBroker();
  });
  afterAll(async () => {
    await hub?.kill('SIGTERM');
    await backend?.close();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs, keeps storage_corrupt_recovered active (high) and delivers it to the broker', async () => {
    writeFileSync(join(dir, 'carehub.db'), Buffer.alloc(64 * 1024, 0x5a)); // not an SQLite file
    const cfg = startupConfig(dir, { url: broker.url, protocolVersion: brokerProtocolVersion, device: '{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }' });
    backend = new Backend(broker.url, brokerProtocolVersion);
    await backend.connect();
    hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir });
    hub.start();
    const sock = join(dir, 'control.sock');
    const a = await waitForAlarm(sock, (x) => x.condition === 'storage_corrupt_recovered', 60_000, 'storage_corrupt_recovered through the control socket', () => hub!.log);
    expect(a.category).toBe('technical');
    expect(a.priority).toBe('high');
    expect(a.text).toMatch(/corrupt/i);
    expect(readdirSync(dir).some((f) => f.startsWith('carehub.db.corrupt-'))).toBe(true);
    await waitFor(() => backend!.alarmEvents.some((e) => e.event === 'raised' && e.condition === 'storage_corrupt_recovered'), 30_000, 'storage_corrupt_recovered at the broker');
    // still active a few seconds later, while the hub keeps running
    await new Promise((r) => setTimeout(r, 3000));
    expect(hub.running).toBe(true);
    await waitForAlarm(sock, (x) => x.condition === 'storage_corrupt_recovered', 5000, 'storage_corrupt_recovered still active', () => hub!.log);
    expect(await hub.kill('SIGTERM')).toBe(0);
    expect(existsSync(join(dir, 'carehub.db'))).toBe(true);
  }, 120_000);
});
