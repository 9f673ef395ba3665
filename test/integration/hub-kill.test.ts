import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { Backend, HubProcess, outOfOrder, storedReadings, waitFor, writeHubConfig } from '../helpers/hub-process.js';

// (b) the hub is killed with SIGKILL mid-stream and restarted: nothing durable is lost.
// Then the broker is stopped while the hub is killed again: after both return, every stored
// reading arrives, in order per device, none lost.
describe(`hub killed mid-stream (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker: mosquitto not installed'})`, () => {
  let broker: TestBroker;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-kill-'));
    broker = await startBroker({ extraConf: ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1'] });
  });
  afterAll(async () => {
    await broker.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing that was stored across SIGKILLs and a broker outage', async () => {
    const cfg = writeHubConfig(dir, broker.url, brokerProtocolVersion, [
      '{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }',
      '{ id: vent-1, kind: ventilator, transport: serial, protocol: medibus, simulate: normal }',
    ]);
    const backend = new Backend(broker.url, brokerProtocolVersion);
    await backend.connect();
    const hub = new HubProcess(cfg);
    hub.start();
    await waitFor(() => backend.readings.length >= 20, 30_000, `first readings (hub log: ${hub.log.slice(-2000)})`);

    expect(await hub.kill('SIGKILL')).toBe(null);
    hub.start();
    await waitFor(() => backend.readings.length >= 60, 30_000, 'readings after the restart');

    // Broker down, then the hub killed while it buffers.
    await broker.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await hub.kill('SIGKILL');
    hub.start();
    await new Promise((r) => setTimeout(r, 3000));
    await broker.start();
    await new Promise((r) => setTimeout(r, 4000));
    expect(await hub.kill('SIGTERM'), hub.log.slice(-3000)).toBe(0);

    // Readings stored in the last moments before the stop are delivered by the next start
    // (here: the same database with no devices, as after unpairing everything).
    const drainCfg = writeHubConfig(dir, broker.url, brokerProtocolVersion, [], '', 'drain.yaml');
    const stored = storedReadings(join(dir, 'carehub.db'));
    const drain = new HubProcess(drainCfg);
    drain.start();
    await waitFor(() => drain.log.includes('hub started'), 20_000, 'the drain-only hub to start');
    await waitFor(() => {
      const got = new Set(backend.readings.map((r) => r.id));
      return stored.every((s) => got.has(s.uid));
    }, 20_000, 'every stored reading at the backend');
    expect(await drain.kill('SIGTERM'), drain.log.slice(-3000)).toBe(0);
    const got = new Set(backend.readings.map((r) => r.id));
    expect(stored.filter((s) => !got.has(s.uid))).toEqual([]);
    expect(storedReadings(join(dir, 'carehub.db')).filter((s) => !s.sent)).toEqual([]);
    expect(stored.length).toBeGreaterThan(60);
    expect(outOfOrder(backend.readings)).toEqual([]);
    await backend.close();
  }, 120_000);
});
