import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SystemClock } from '../../src/core/system-clock.js';
import { readingToJson } from '../../src/core/reading.js';
import { Uplink, type UplinkState } from '../../src/uplink/uplink.js';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import type { OutboxSource } from '../../src/store/outbox-types.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { alarmEvent, openTempStore, quietLog, reading, Subscriber, uplinkConfig, waitFor } from './util.js';

const HUB = 'hub-t1';
let broker: TestBroker;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => { broker = await startBroker(); });
afterAll(async () => { await broker.dispose(); });
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

function makeUplink(opts: { outbox?: OutboxSource; protocolVersion?: 4 | 5; hub?: string; health?: number } = {}) {
  const up = new Uplink({
    config: uplinkConfig({ url: broker.url, protocolVersion: opts.protocolVersion ?? brokerProtocolVersion }, opts.health ? { healthIntervalS: opts.health } : {}),
    hubId: opts.hub ?? HUB, version: '0.1.0-test', outbox: opts.outbox ?? new MemoryOutbox(), log: quietLog,
    clock: new SystemClock(true), healthProvider: () => ({ uptimeS: 1, outbox: { depth: 0 } }),
  });
  cleanups.push(() => up.stop());
  return up;
}

async function sub(filter: string | string[], v: 4 | 5 = brokerProtocolVersion): Promise<Subscriber> {
  const s = await Subscriber.open(broker.url, filter, { protocolVersion: v });
  cleanups.push(() => s.close());
  return s;
}

const connected = (up: Uplink) => waitFor(() => up.state() === 'connected', 10_000, 'uplink connected');

describe('uplink against a real broker', () => {
  it('publishes retained online status, devices and active alarms on connect; offline on stop', async () => {
    const states: UplinkState[] = [];
    const up = makeUplink();
    up.onState((s) => states.push(s));
    up.setDevices([{ id: 'oxi-1', kind: 'oximeter', transport: 'ble', address: '00:1C:05:FF:4E:21', link: 'connected', lastSeen: null, battery: 80 }]);
    up.setActiveAlarms([]);
    await up.start();
    await connected(up);
    // a subscriber arriving later gets the retained messages
    const s = await sub(`carehub/${HUB}/#`);
    const status = await s.waitFor(() => s.on(`carehub/${HUB}/status`)[0], 5000, 'retained status');
    expect(status.retain).toBe(true);
    expect(JSON.parse(status.payload)).toMatchObject({ v: 1, state: 'online', version: '0.1.0-test' });
    if (brokerProtocolVersion === 5) expect(status.contentType).toBe('application/json');
    const devices = await s.waitFor(() => s.on(`carehub/${HUB}/devices`)[0], 5000, 'retained devices');
    expect(JSON.parse(devices.payload).devices[0]).toMatchObject({ id: 'oxi-1', link: 'connected', battery: 80 });
    expect(JSON.parse((await s.waitFor(() => s.on(`carehub/${HUB}/alarms/active`)[0])).payload)).toMatchObject({ v: 1, alarms: [] });
    await up.stop();
    const off = await s.waitFor(() => s.on(`carehub/${HUB}/status`).find((m) => m.payload.includes('offline')), 5000, 'offline');
    expect(JSON.parse(off.payload).state).toBe('offline');
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('publishes the Last Will (retained offline) when the hub process dies abruptly', async () => {
    const hub = 'hub-lwt';
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/uplink-child.ts', import.meta.url).pathname, broker.url, hub, String(brokerProtocolVersion)], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    await waitFor(() => out.includes('connected'), 20_000, 'child uplink connected');
    const s1 = await sub(`carehub/${hub}/status`);
    await s1.waitFor(() => s1.msgs.find((m) => m.payload.includes('online')), 5000, 'online');
    child.kill('SIGKILL');
    await s1.waitFor(() => s1.msgs.find((m) => m.payload.includes('offline')), 10_000, 'will message');
    // and it is retained: a new subscriber sees offline
    const s2 = await sub(`carehub/${hub}/status`);
    const m = await s2.waitFor(() => s2.msgs[0], 5000, 'retained will');
    expect(m.retain).toBe(true);
    expect(JSON.parse(m.payload)).toMatchObject({ v: 1, state: 'offline', version: '0.1.0-child' });
  });

  it('answers ping and malformed commands with replies, and keeps working', async () => {
    const up = makeUplink();
    up.registerCommand('setRate', z.strictObject({ hz: z.number().min(0.1).max(10) }), (a) => ({ applied: a.hz }));
    await up.start();
    await connected(up);
    const s = await sub(`carehub/${HUB}/cmd/+/reply`);
    const send = (name: string, body: string) => s.client.publishAsync(`carehub/${HUB}/cmd/${name}`, body, { qos: 1 });
    await send('ping', 'this is not json');
    await send('ping', '{"noid":true}');
    await send('launch', '{"id":"x1"}');
    const iat = Math.floor(Date.now() / 1000);
    await send('setRate', `{"id":"x2","iat":${iat},"hz":"fast"}`);
    await send('setRate', `{"id":"x3","iat":${iat},"hz":2}`);
    await send('ping', '{"id":"x4"}');
    await s.waitFor(() => s.msgs.length >= 6, 5000, '6 replies');
    const replies = s.msgs.map((m) => ({ topic: m.topic.split('/').slice(3).join('/'), ...JSON.parse(m.payload) as Record<string, unknown> }));
    expect(replies.slice(0, 4)).toEqual([
      { topic: 'ping/reply', id: null, ok: false, error: 'request is not valid JSON' },
      { topic: 'ping/reply', id: null, ok: false, error: expect.stringMatching(/id/) },
      { topic: 'launch/reply', id: 'x1', ok: false, error: 'unknown command "launch"' },
      { topic: 'setRate/reply', id: 'x2', ok: false, error: expect.stringMatching(/hz/) },
    ]);
    expect(replies[4]).toEqual({ topic: 'setRate/reply', id: 'x3', ok: true, error: null, applied: 2 });
    expect(replies[5]).toMatchObject({ topic: 'ping/reply', id: 'x4', ok: true, error: null, pong: true });
    expect(up.stats().commands).toMatchObject({ received: 6, ok: 2, malformed: 2, unknown: 1, invalidArgs: 1 });
    expect(up.state()).toBe('connected');
  });

  it('sends alarm events ahead of a 50,000-reading backlog (real SQLite store)', async () => {
    const ts = openTempStore();
    cleanups.push(() => ts.close());
    const t0 = Date.UTC(2026, 10, 23, 10);
    const backlog = Array.from({ length: 50_000 }, (_, i) => reading(`oxi-${i % 2}`, t0 + i * 500));
    ts.store.insertReadings(backlog);
    ts.store.addAlarmEvent(alarmEvent(HUB, 1));
    const s = await sub([`carehub/${HUB}/readings`, `carehub/${HUB}/alarms/events`]);
    // A second alarm is raised while the backlog drains: stored right when the 5th batch is read.
    let lane1Reads = 0;
    const outbox: OutboxSource = {
      pending: (lane, after, max) => {
        const rows = ts.store.pending(lane, after, max);
        if (lane === 1 && ++lane1Reads === 5) ts.store.addAlarmEvent(alarmEvent(HUB, 2));
        return rows;
      },
      ack: (seqs) => ts.store.ack(seqs),
      depth: () => ts.store.depth(),
    };
    const up = makeUplink({ outbox });
    ts.store.onAppend(() => up.kick());
    expect(up.stats().lastAckAt).toBeNull();
    const started = Date.now();
    await up.start();
    await s.waitFor(() => ts.store.depth().total === 0 && s.on(`carehub/${HUB}/alarms/events`).length === 2, 30_000, 'drained');
    const order = s.msgs.map((m) => (m.topic.endsWith('events') ? `A:${JSON.parse(m.payload).id}` : 'R'));
    expect(order[0]).toBe('A:ev-1');
    // the alarm stored during the 5th batch goes out right after it, ahead of the other ~95 batches
    expect(order.indexOf('A:ev-2')).toBe(6);
    await s.waitFor(() => s.on(`carehub/${HUB}/readings`).reduce((n, m) => n + (JSON.parse(m.payload) as { readings: unknown[] }).readings.length, 0) >= 50_000, 15_000, 'all readings at subscriber');
    const got = s.on(`carehub/${HUB}/readings`).flatMap((m) => (JSON.parse(m.payload) as { hub: string; readings: { id: string }[] }).readings.map((r) => r.id));
    expect(new Set(got)).toEqual(new Set(backlog.map((r) => r.id)));
    expect(up.stats().ackedRows).toBe(50_002);
    // the time of the last recorded acknowledgement: what the console shows as "last delivery"
    expect(up.stats().lastAckAt).toBeGreaterThanOrEqual(started);
    expect(up.stats().lastAckAt).toBeLessThanOrEqual(Date.now());
  });

  it('works in MQTT 3.1.1 mode: readings batch, health and commands', async () => {
    const outbox = new MemoryOutbox();
    const r = readingToJson(reading('oxi-1', Date.UTC(2026, 10, 23, 10)));
    outbox.add(1, 'reading', JSON.stringify(r));
    const s = await sub(`carehub/hub-v4/#`, 4);
    const up = makeUplink({ outbox, protocolVersion: 4, hub: 'hub-v4', health: 5 });
    await up.start();
    await connected(up);
    const batch = await s.waitFor(() => s.on('carehub/hub-v4/readings')[0], 5000, 'batch');
    expect(JSON.parse(batch.payload)).toEqual({ v: 1, hub: 'hub-v4', readings: [r] });
    await waitFor(() => outbox.depth().total === 0, 5000, 'acked');
    await s.client.publishAsync('carehub/hub-v4/cmd/ping', '{"id":"p"}', { qos: 1 });
    await s.waitFor(() => s.on('carehub/hub-v4/cmd/ping/reply')[0], 5000, 'reply');
    const health = await s.waitFor(() => s.on('carehub/hub-v4/health')[0], 8000, 'health');
    expect(JSON.parse(health.payload)).toMatchObject({ v: 1, uptimeS: 1, outbox: { depth: 0 }, uplink: { connected: true, reconnects: 0, ackedRows: 1 } });
  });

  it.skipIf(!hasMosquitto)('sends FHIR Bundles when format is fhir', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(1, 'reading', JSON.stringify(readingToJson(reading('oxi-1', Date.UTC(2026, 10, 23, 10)))));
    const s = await sub('carehub/hub-fhir/readings');
    const up = new Uplink({
      config: uplinkConfig({ url: broker.url }, { format: 'fhir', fhir: { patient: { reference: 'Patient/p1' } } }), hubId: 'hub-fhir', version: 't', outbox,
      log: quietLog, clock: new SystemClock(true),
    });
    cleanups.push(() => up.stop());
    await up.start();
    const m = await s.waitFor(() => s.msgs[0], 5000, 'bundle');
    const bundle = JSON.parse(m.payload) as { resourceType: string; entry: { resource: { resourceType: string } }[] };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual(['Device', 'Device', 'Observation']);
  });
});
