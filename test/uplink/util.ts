import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { configSchema, type UplinkConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/log.js';
import { readingId } from '../../src/core/ids.js';
import { SystemClock } from '../../src/core/system-clock.js';
import type { Reading } from '../../src/core/reading.js';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { Store } from '../../src/store/store.js';
import { createBroker, type TestBroker } from '../helpers/broker.js';

type MqttIn = Partial<UplinkConfig['mqtt']> & { url: string };

/** A validated uplink section (defaults applied) with fast reconnects for tests. */
export function uplinkConfig(mqtt: MqttIn, rest: Partial<Omit<UplinkConfig, 'mqtt'>> = {}): UplinkConfig {
  const parsed = configSchema.shape.uplink.parse({
    mqtt: { reconnectMinMs: 100, reconnectMaxMs: 1000, ...mqtt },
    ...rest,
  });
  return parsed;
}

export interface Received { topic: string; payload: string; retain: boolean; contentType?: string | undefined }

/** A plain subscriber that records everything it receives. */
export class Subscriber {
  readonly msgs: Received[] = [];
  private constructor(readonly client: MqttClient) {}

  static async open(url: string, filter: string | string[], opts: IClientOptions = {}): Promise<Subscriber> {
    const client = connect(url, { reconnectPeriod: 200, connectTimeout: 5000, ...opts });
    const s = new Subscriber(client);
    client.on('message', (topic, payload, packet) => {
      s.msgs.push({ topic, payload: payload.toString(), retain: packet.retain, contentType: packet.properties?.contentType });
    });
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(filter, { qos: 1 });
    return s;
  }

  on(topic: string): Received[] {
    return this.msgs.filter((m) => m.topic === topic);
  }

  async waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return waitFor(fn, timeoutMs, what);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export async function waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface TempStore { store: Store; dir: string; close(): void }

/** A real SQLite store in a temp directory. */
export function openTempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-uplink-'));
  const store = Store.open({
    path: join(dir, 'carehub.db'), maxBytes: 2 * 1024 ** 3, retainSentHours: 0,
    log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {},
  });
  return { store, dir, close: () => { store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

let counter = 0;

/** A SpO2 reading from `device` measured at `t`. */
export function reading(device: string, t: number, value = 97): Reading {
  return {
    id: readingId(device, 'spo2', `${t}:${counter++}`), device, kind: 'oximeter', metric: 'spo2', mdc: 150456,
    value, unit: '%', t, rx: t + 50, clock: 'device', flags: [], lane: 1,
  };
}

export function alarmEvent(hub: string, n: number): AlarmEvent {
  return {
    v: 1, hub, id: `ev-${n}`, alarm: `al-${n}`, event: 'raised', priority: 'high', category: 'physiological',
    condition: 'spo2_low', device: 'oxi-1', metric: 'spo2', value: 85, limit: 88, t: new Date().toISOString(),
    text: 'SpO2 85 % below 88 % for 15 s',
  };
}

export const quietLog = silentLogger();

/**
 * For a test file whose tests stop and restart the broker: one broker with persistence (sessions
 * survive a restart) and one temporary store, started before the file's tests and disposed after.
 * Read `.broker` / `.ts` inside the tests.
 */
export function restartableBrokerAndStore(): { readonly broker: TestBroker; readonly ts: TempStore } {
  const f = {} as { broker: TestBroker; ts: TempStore };
  beforeAll(async () => {
    f.broker = await createBroker({ persistence: true });
    await f.broker.start();
    f.ts = openTempStore();
  });
  afterAll(async () => {
    await f.broker?.dispose();
    f.ts?.close();
  });
  return f;
}
