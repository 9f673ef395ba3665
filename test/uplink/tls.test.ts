import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/system-clock.js';
import { HubError } from '../../src/core/errors.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { quietLog, sleep, Subscriber, uplinkConfig, waitFor } from './util.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

if (!hasMosquitto) console.warn('mosquitto not installed: TLS broker tests skipped');

function uplink(config: ReturnType<typeof uplinkConfig>, hub: string): Uplink {
  return new Uplink({ config, hubId: hub, version: 't', outbox: new MemoryOutbox(), log: quietLog, clock: new SystemClock(true) });
}

describe.skipIf(!hasMosquitto)('TLS with client certificates (mosquitto require_certificate)', () => {
  let broker: TestBroker;
  beforeAll(async () => { broker = await startBroker({ tls: true }); });
  afterAll(async () => { await broker?.dispose(); });

  it('connects with the hub certificate and publishes its status', async () => {
    const tls = broker.tls!;
    const up = uplink(uplinkConfig({ url: broker.url, ca: tls.ca, cert: tls.clientCert, key: tls.clientKey }), 'hub-tls');
    try {
      await up.start();
      await waitFor(() => up.state() === 'connected', 10_000, 'TLS connect');
      const sub = await Subscriber.open(broker.url, 'carehub/hub-tls/status', {
        ca: readFileSync(tls.ca), cert: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey), rejectUnauthorized: true,
      });
      const m = await sub.waitFor(() => sub.msgs[0], 5000, 'status');
      expect(JSON.parse(m.payload).state).toBe('online');
      await sub.close();
    } finally {
      await up.stop();
    }
  });

  it('is refused without a client certificate, reports the error and keeps retrying', async () => {
    const up = uplink(uplinkConfig({ url: broker.url, ca: broker.tls!.ca, reconnectMinMs: 100, reconnectMaxMs: 1000 }), 'hub-nocert');
    const states: string[] = [];
    up.onState((s) => states.push(s));
    try {
      await up.start();
      await waitFor(() => up.stats().connectAttempts >= 4, 15_000, 'several attempts');
      const st = up.stats();
      expect(st.connected).toBe(false);
      expect(st.lastError).toBeTruthy();
      expect(states).not.toContain('connected');
    } finally {
      await up.stop();
    }
    expect(up.state()).toBe('disconnected');
  });

  it('rejects a broker whose certificate is not signed by the configured CA', async () => {
    const tls = broker.tls!;
    const otherCa = join(tls.dir, 'other-ca.crt');
    // the client certificate is not a CA: trusting it alone cannot validate the server
    writeFileSync(otherCa, readFileSync(tls.clientCert));
    const up = uplink(uplinkConfig({ url: broker.url, ca: otherCa, cert: tls.clientCert, key: tls.clientKey }), 'hub-badca');
    try {
      await up.start();
      await sleep(1500);
      expect(up.stats().connected).toBe(false);
      expect(up.stats().lastError).toMatch(/certificate|self.signed|verify/i);
    } finally {
      await up.stop();
    }
  });
});

describe('plain TCP policy', () => {
  it('refuses mqtt:// to a non-loopback host before connecting, unless allowInsecure', async () => {
    const up = uplink(uplinkConfig({ url: 'mqtt://192.0.2.10:1883' }), 'hub-plain');
    await expect(up.start()).rejects.toThrowError(HubError);
    await expect(up.start()).rejects.toThrowError(/allowInsecure.*HUB0501/);
    expect(up.stats().connectAttempts).toBe(0);
    const ok = uplink(uplinkConfig({ url: 'mqtt://192.0.2.10:1883', allowInsecure: true }), 'hub-plain2');
    await expect(ok.start()).resolves.toBeUndefined();
    expect(ok.state()).toBe('connecting');
    await ok.stop();
  });
});
