import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { HubProcess } from '../helpers/hub-process.js';
import { startupConfig } from './startup-helpers.js';

// Issue 9 (3): when local monitoring itself cannot start, the old `run` logged "start-up failed"
// and stayed half-running (uplink online, devices streaming, no alarm wiring). Now it sounds a
// console alarm, logs why and exits 1 at once, leaving nothing behind: no control socket, no
// broker session, the instance lock free for the restart systemd makes.
// The fault: a simulated serial ventilator whose pty helper (python3) is not on PATH.
describe(`local monitoring cannot start (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker'})`, () => {
  let broker: TestBroker;
  let dir: string;
  let watcher: MqttClient;
  const seen: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-localfail-'));
    broker = await startBroker();
    watcher = connect(broker.url, { protocolVersion: brokerProtocolVersion, clientId: 'localfail-watcher', reconnectPeriod: 200 });
    watcher.on('message', (topic) => seen.push(topic));
    await new Promise<void>((resolve) => watcher.once('connect', () => resolve()));
    await watcher.subscribeAsync('carehub/#', { qos: 1 });
  });
  afterAll(async () => {
    await watcher.endAsync();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('annunciates on the console, logs why and exits 1 within seconds; nothing is left half-running', async () => {
    const cfg = startupConfig(dir, { url: broker.url, protocolVersion: brokerProtocolVersion, device: '{ id: vent-1, kind: ventilator, transport: serial, protocol: medibus, simulate: normal }' });
    const hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir, PATH: '/nonexistent' }, ['--duration', '120']);
    const t0 = Date.now();
    hub.start();
    expect(await hub.exited(30_000)).toBe(1);
    const tookMs = Date.now() - t0;
    expect(tookMs).toBeLessThan(20_000); // not the 120 s of --duration: it gave up at once
    expect(hub.log).toMatch(/ALARM raised\s+HIGH\s+hub_start_failed\s+carehub is NOT monitoring: local monitoring could not start: .*python3/);
    expect(hub.log).toContain('"msg":"start-up failed; exiting"');
    expect(hub.log).toContain('"msg":"store closed"'); // what had started was stopped again
    expect(existsSync(join(dir, 'control.sock'))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen.filter((t) => t.startsWith('carehub/hub-safe/'))).toEqual([]); // never reached the broker
    console.log(`local start-up failure: exit 1 after ${tookMs} ms`);
  }, 60_000);
});
