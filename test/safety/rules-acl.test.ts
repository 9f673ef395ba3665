import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { nowS } from '../uplink/signing.js';
import { sleep, Subscriber, waitFor } from '../uplink/util.js';
import { startMiniHub, tempDir, type MiniHub } from './rules-helpers.js';

// The broker ACLs of docs/COMMANDS.md, with the shipped example file docs/mosquitto/carehub.acl:
// only the backend publishes commands; a hub publishes only under its own prefix.
const ACL = new URL('../../docs/mosquitto/carehub.acl', import.meta.url).pathname;
const HUB = 'hub-acl';

describe.skipIf(!hasMosquitto)('mosquitto with the carehub ACL and a password file', () => {
  let broker: TestBroker;
  let hub: MiniHub;
  const t = tempDir('carehub-acl-');
  const pw = join(t.dir, 'passwd');
  beforeAll(async () => {
    execFileSync('mosquitto_passwd', ['-b', '-c', pw, 'backend', 'backend-pw']);
    execFileSync('mosquitto_passwd', ['-b', pw, HUB, 'hub-pw']);
    execFileSync('mosquitto_passwd', ['-b', pw, 'other', 'other-pw']);
    broker = await startBroker({ anonymous: false, extraConf: [`password_file ${pw}`, `acl_file ${ACL}`] });
    writeFileSync(join(t.dir, 'hub.cred'), `${HUB}:hub-pw\n`);
    hub = await startMiniHub({ url: broker.url, hub: HUB, protocolVersion: 5, dir: t.dir, credentialsFile: join(t.dir, 'hub.cred') });
    await waitFor(() => hub.uplink.state() === 'connected', 10_000, 'hub connected with its credentials');
  });
  afterAll(async () => {
    await hub.stop();
    await broker.dispose();
    t.remove();
  });

  const body = () => JSON.stringify({ id: `a${Math.random()}`, iat: nowS(), version: 2, alarms: { rules: { spo2: { staleAfterIntervals: 30, low: { levels: [{ limit: 90, priority: 'high', delayS: 10 }], hysteresis: 1 } } } } });

  it('an anonymous client cannot connect', async () => {
    const c = connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 3000 });
    const err = await new Promise<Error>((resolve) => { c.once('error', resolve); c.once('connect', () => resolve(new Error('connected'))); });
    c.end(true);
    expect(err.message).toMatch(/not authori[sz]ed|bad user name or password/i);
  });

  it('another user cannot publish a command: the hub never receives it', async () => {
    const other = await Subscriber.open(broker.url, `carehub/${HUB}/#`, { protocolVersion: 5, username: 'other', password: 'other-pw' });
    await other.client.publishAsync(`carehub/${HUB}/cmd/alarm-rules`, body(), { qos: 1 }).catch(() => undefined);
    // nor can another hub (a hub's user writes only under its own prefix)
    const otherHub = await Subscriber.open(broker.url, 'x/none', { protocolVersion: 5, username: HUB, password: 'hub-pw', clientId: 'hub-acl-impostor' });
    await otherHub.client.publishAsync('carehub/hub-elsewhere/cmd/alarm-rules', body(), { qos: 1 }).catch(() => undefined);
    await otherHub.client.publishAsync(`carehub/${HUB}/cmd/alarm-rules`, body(), { qos: 1 }).catch(() => undefined);
    await sleep(1000);
    expect(hub.uplink.stats().commands.received).toBe(0);
    expect(hub.engine.rulesVersion).toBe(1);
    await other.close();
    await otherHub.close();
  });

  it('the backend publishes a command and reads the reply', async () => {
    const backend = await Subscriber.open(broker.url, `carehub/${HUB}/#`, { protocolVersion: 5, username: 'backend', password: 'backend-pw' });
    await backend.client.publishAsync(`carehub/${HUB}/cmd/alarm-rules`, body(), { qos: 1 });
    const reply = await backend.waitFor(() => backend.on(`carehub/${HUB}/cmd/alarm-rules/reply`)[0], 5000, 'reply');
    expect(JSON.parse(reply.payload)).toMatchObject({ ok: true, version: 2 });
    // and it sees the hub's retained topics, alarms/rules included
    await backend.waitFor(() => backend.on(`carehub/${HUB}/alarms/rules`).find((m) => m.payload.includes('"version":2')), 5000, 'alarms/rules v2');
    await backend.close();
  });
});
