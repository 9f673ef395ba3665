import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { HubProcess, waitFor } from '../helpers/hub-process.js';
import { startupConfig } from './startup-helpers.js';

// Issue 9 (8): a second `run` on the same store was not refused; both hubs used the same MQTT
// client id and knocked each other off the broker. Now the second exits 1 within seconds, before
// touching the store or the broker, and the first never goes offline. The lock dies with its
// holder: after a SIGKILL the next hub starts.
describe(`one instance per store (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker'})`, () => {
  let broker: TestBroker;
  let dir: string;
  let watcher: MqttClient;
  const statuses: string[] = [];
  const hubs: HubProcess[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-lock-'));
    broker = await startBroker();
    watcher = connect(broker.url, { protocolVersion: brokerProtocolVersion, clientId: 'lock-watcher', reconnectPeriod: 200 });
    watcher.on('message', (topic, payload) => { if (topic === 'carehub/hub-safe/status') statuses.push((JSON.parse(payload.toString()) as { state: string }).state); });
    await new Promise<void>((resolve) => watcher.once('connect', () => resolve()));
    await watcher.subscribeAsync('carehub/hub-safe/status', { qos: 1 });
  });
  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.kill('SIGKILL')));
    await watcher.endAsync();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second run exits 1 within seconds naming the lock; the first stays online; SIGKILL releases the lock', async () => {
    const cfg = startupConfig(dir, { url: broker.url, protocolVersion: brokerProtocolVersion, device: '{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }' });
    const sock = join(dir, 'control.sock');
    const first = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir });
    hubs.push(first);
    first.start();
    await waitFor(() => statuses.at(-1) === 'online', 45_000, 'the first hub online');
    const onlineSeen = statuses.length;

    const second = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir });
    hubs.push(second);
    const t0 = Date.now();
    second.start();
    expect(await second.exited(30_000)).toBe(1);
    const tookMs = Date.now() - t0;
    expect(tookMs).toBeLessThan(15_000);
    expect(second.log).toContain(`another carehub instance holds ${join(dir, 'carehub.db.lock')}`);
    expect(second.log).not.toContain('store opened'); // refused before the store was touched
    expect(second.log).not.toContain('uplink'); // ... and before the broker

    // the first hub never went offline and never had to reconnect
    await new Promise((r) => setTimeout(r, 3000));
    expect(statuses.slice(onlineSeen)).not.toContain('offline');
    expect(first.running).toBe(true);
    const s = (await controlRequest(sock, 'status')) as { uplink: { state: string; reconnects: number } };
    expect(s.uplink.state).toBe('connected');
    expect(s.uplink.reconnects).toBe(0);
    expect(existsSync(sock)).toBe(true);

    // the lock dies with its holder, even on SIGKILL: the next hub starts and comes online
    await first.kill('SIGKILL');
    await waitFor(() => statuses.at(-1) === 'offline', 60_000, 'the broker to publish the Will');
    const third = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir });
    hubs.push(third);
    third.start();
    await waitFor(() => statuses.at(-1) === 'online', 45_000, 'the next hub online after SIGKILL');
    expect(third.running).toBe(true);
    expect(await third.kill('SIGTERM')).toBe(0);
    console.log(`second instance refused in ${tookMs} ms`);
  }, 180_000);
});
