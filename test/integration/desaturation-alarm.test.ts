import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Hub } from '../../src/hub/hub.js';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { Backend, waitFor, writeHubConfig } from '../helpers/hub-process.js';

// End to end: a simulated PLXS oximeter desaturates; the hub raises a physiological SpO2 alarm
// locally, publishes the event and the retained active list, and clears it on recovery.
describe(`desaturation → MQTT alarm event → clearing (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker: mosquitto not installed'})`, () => {
  let broker: TestBroker;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-desat-'));
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises an SpO2 alarm with priority and limit, lists it retained, clears it on recovery', async () => {
    const file = writeHubConfig(dir, broker.url, brokerProtocolVersion, ['{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: desaturation }']);
    const loaded = loadConfigFile(file, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const backend = new Backend(broker.url, brokerProtocolVersion);
    await backend.connect();
    const local: string[] = [];
    const hub = await Hub.start({ config: loaded.config, log: silentLogger(), clock: new SystemClock(true), onAlarmEvent: (ev) => local.push(`${ev.event}:${ev.condition}`), headless: true });
    try {
      const spo2Raised = (): Record<string, unknown> | undefined => backend.alarmEvents.find((e) => e.event === 'raised' && e.metric === 'spo2' && e.category === 'physiological');
      await waitFor(() => spo2Raised() !== undefined, 120_000, 'an SpO2 alarm at the backend');
      const ev = spo2Raised()!;
      expect(['medium', 'high']).toContain(ev.priority);
      expect(typeof ev.limit).toBe('number');
      expect(ev.device).toBe('oxi-1');
      expect(local.some((l) => l.startsWith('raised:'))).toBe(true);
      await waitFor(() => (backend.retained.get('carehub/hub-it/alarms/active') ?? '').includes(String(ev.alarm)), 10_000, 'the alarm in the retained active list');
      await waitFor(() => backend.alarmEvents.some((e) => e.event === 'cleared' && e.alarm === ev.alarm), 150_000, 'the SpO2 alarm cleared');
      await waitFor(() => !(backend.retained.get('carehub/hub-it/alarms/active') ?? '').includes(String(ev.alarm)), 10_000, 'the alarm gone from the active list');
    } finally {
      await hub.stop();
      await backend.close();
    }
  }, 300_000);
});
