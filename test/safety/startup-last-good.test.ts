import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { LAST_GOOD_FILE } from '../../src/config/last-good.js';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { HubProcess, waitFor } from '../helpers/hub-process.js';
import { startupConfig, waitForAlarm } from './startup-helpers.js';

// Issue 9 (5): a config file damaged after a good run. The old unit's ExecStartPre check failed
// and `run` exited 2, so nothing monitored. Now the hub runs on the last-known-good copy it saved
// after the good run and raises config_invalid (high) naming the problem.
describe(`damaged config after a good run (${hasMosquitto ? 'mosquitto' : 'embedded aedes broker'})`, () => {
  let broker: TestBroker;
  let dir: string;
  let hub: HubProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-lastgood-'));
    broker = await startBroker();
  });
  afterAll(async () => {
    await hub?.kill('SIGKILL');
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs on the last-known-good config and raises config_invalid; without a copy it exits 2 listing the problem', async () => {
    const state = join(dir, 'state');
    const cfg = startupConfig(dir, { url: broker.url, protocolVersion: brokerProtocolVersion, device: '{ id: oxi-lg, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }' });
    const good = readFileSync(cfg, 'utf8');
    const sock = join(dir, 'control.sock');

    // the damaged file with no copy saved yet: nothing to monitor with → exit 2, every problem, console alarm
    writeFileSync(cfg, 'hub: { id: "broken id!" }\nuplink: [\n');
    const none = new HubProcess(cfg, { CAREHUB_STATE_DIR: state });
    none.start();
    expect(await none.exited(30_000)).toBe(2);
    expect(none.log).toMatch(/\(file\): .*YAML/);
    expect(none.log).toMatch(/ALARM raised\s+HIGH\s+config_invalid .*NOT monitoring/);

    // a good run saves the copy (mode 0600)
    writeFileSync(cfg, good);
    hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: state });
    hub.start();
    await waitFor(() => hub!.log.includes('"hub started"'), 45_000, 'the first hub to start');
    const copy = join(state, LAST_GOOD_FILE);
    await waitFor(() => { try { return readFileSync(copy, 'utf8') === good; } catch { return false; } }, 10_000, 'the last-known-good copy');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(await hub.kill('SIGTERM')).toBe(0);

    // damaged after the good run: schema problem (unknown key, bad id)
    writeFileSync(cfg, good.replace('hub: { id: hub-safe }', 'hub: { id: "hub safe!", colour: blue }'));
    hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: state });
    hub.start();
    const a = await waitForAlarm(sock, (x) => x.condition === 'config_invalid', 45_000, 'config_invalid', () => hub!.log);
    expect(a.priority).toBe('high');
    expect(a.text).toContain(cfg);
    expect(a.text).toMatch(/hub\.id: /);
    expect(a.text).toMatch(/hub\.colour: unknown key/);
    expect(a.text).toMatch(/last-known-good/);
    const status = (await controlRequest(sock, 'status')) as { hub: string; devices: Array<{ id: string }> };
    expect(status.hub).toBe('hub-safe'); // the last-known-good config is in use
    expect(status.devices.map((d) => d.id)).toEqual(['oxi-lg']);
    // the damaged file never replaces the copy
    expect(readFileSync(copy, 'utf8')).toBe(good);
    expect(await hub.kill('SIGTERM')).toBe(0);

    // repaired: config_invalid is cleared at once (not left to the restore grace)
    writeFileSync(cfg, good);
    hub = new HubProcess(cfg, { CAREHUB_STATE_DIR: state });
    hub.start();
    await waitFor(() => hub!.log.includes('"hub started"'), 45_000, 'the repaired hub to start');
    const list = (await controlRequest(sock, 'alarms.list')) as { alarms: Array<{ condition: string }> };
    expect(list.alarms.map((x) => x.condition)).not.toContain('config_invalid');
    expect(await hub.kill('SIGTERM')).toBe(0);
    hub = undefined;
  }, 180_000);
});
