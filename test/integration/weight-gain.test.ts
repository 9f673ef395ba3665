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

// End to end: a simulated weight scale (weight-gain) hands over two mornings from its memory and
// weighs 2.4 kg more 5 s after power-up; with the weight-gain rule enabled in the config, the hub
// raises body_weight_gain locally and publishes the event; the weighings reach the backend.
describe(`weight gain over days → MQTT alarm event (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker: mosquitto not installed'})`, () => {
  let broker: TestBroker;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-weight-'));
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises body_weight_gain when the rule is enabled; the three weighings are delivered', async () => {
    const alarms = `alarms:
  rules:
    body_weight:
      change:
        windowH: 72
        gain: { by: 2, priority: medium, source: "ESC 2021 heart-failure guideline: more than 2 kg in 3 days" }
`;
    const file = writeHubConfig(dir, broker.url, brokerProtocolVersion, ['{ id: scale-1, kind: scale, transport: ble, protocol: wss, simulate: weight-gain }'], alarms);
    const loaded = loadConfigFile(file, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const backend = new Backend(broker.url, brokerProtocolVersion);
    await backend.connect();
    const local: string[] = [];
    const hub = await Hub.start({ config: loaded.config, log: silentLogger(), clock: new SystemClock(true), onAlarmEvent: (ev) => local.push(`${ev.event}:${ev.condition}`), headless: true });
    try {
      const raised = (): Record<string, unknown> | undefined => backend.alarmEvents.find((e) => e.event === 'raised' && e.condition === 'body_weight_gain');
      await waitFor(() => raised() !== undefined, 30_000, 'body_weight_gain at the backend');
      const ev = raised()!;
      expect(ev).toMatchObject({ device: 'scale-1', metric: 'body_weight', priority: 'medium', category: 'physiological', limit: 2 });
      expect(ev.value as number).toBeGreaterThan(80);
      expect(local).toContain('raised:body_weight_gain');
      await waitFor(() => backend.readings.filter((r) => r.metric === 'body_weight').length >= 3, 10_000, 'three weighings at the backend');
    } finally {
      await hub.stop();
      await backend.close();
    }
  }, 60_000);
});
