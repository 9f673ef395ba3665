import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { HubProcess } from '../helpers/hub-process.js';
import { isSpo2Alarm, startupConfig, waitForAlarm } from './startup-helpers.js';

// Issue 9 (3, 4): an unknown time zone, a bad cron string or missing TLS files made the old `run`
// log "start-up failed" and stay half-running (no alarm wiring, no control socket, --duration
// ignored). Now local monitoring runs, the SpO2 desaturation of a simulated oximeter is alarmed
// locally and visible through the control socket, and a technical alarm names the problem.
describe(`degraded start-up: optional parts that cannot start (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker'})`, () => {
  let broker: TestBroker;
  const dirs: string[] = [];
  const hubs: HubProcess[] = [];
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.kill('SIGKILL')));
    await broker.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const cases = [
    { name: 'unknown time zone', hub: ', timezone: Mars/Olympus_Mons', code: 'schedule_unavailable', names: /hub\.timezone: unknown time zone "Mars\/Olympus_Mons"/ },
    { name: 'bad cron string', schedule: '{ integrityCheck: "at half past three" }', code: 'schedule_unavailable', names: /schedule\.integrityCheck: "at half past three" is not a valid cron expression/ },
    { name: 'missing TLS files', tls: true, code: 'uplink_unavailable', names: /uplink\.mqtt\.ca: cannot read .*missing-ca\.crt: ENOENT.*uplink\.mqtt\.key: cannot read .*missing\.key: ENOENT/ },
  ];

  it('each fault: the hub runs, a local SpO2 alarm shows through the control socket, a technical alarm names the problem; --duration still ends it', async () => {
    // the three hubs run side by side (each waits for one desaturation of its simulated oximeter)
    await Promise.all(cases.map(async (c) => {
      const dir = mkdtempSync(join(tmpdir(), 'carehub-degraded-'));
      dirs.push(dir);
      const url = c.tls ? broker.url.replace(/^mqtt:/, 'mqtts:') : broker.url;
      const cfg = startupConfig(dir, {
        url,
        protocolVersion: brokerProtocolVersion,
        ...(c.hub ? { hub: c.hub } : {}),
        ...(c.schedule ? { schedule: c.schedule } : {}),
        ...(c.tls ? { mqtt: `, ca: ${join(dir, 'missing-ca.crt')}, cert: ${join(dir, 'missing.crt')}, key: ${join(dir, 'missing.key')}` } : {}),
      });
      const hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: dir }, ['--duration', '75']);
      hubs.push(hub);
      hub.start();
      const sock = join(dir, 'control.sock');
      const tech = await waitForAlarm(sock, (a) => a.condition === c.code, 45_000, `${c.code} (${c.name})`, () => hub.log);
      expect(tech.category, c.name).toBe('technical');
      expect(tech.text, c.name).toMatch(c.names);
      const spo2 = await waitForAlarm(sock, isSpo2Alarm, 70_000, `a local SpO2 alarm (${c.name})`, () => hub.log);
      expect(['medium', 'high'], c.name).toContain(spo2.priority);
      expect(hub.running, c.name).toBe(true);
      // --duration works on a degraded hub: it stops by itself, cleanly
      expect(await hub.exited(75_000 + 30_000), c.name).toBe(0);
    }));
  }, 200_000);
});
