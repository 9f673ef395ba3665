import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/system-clock.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { openTempStore, quietLog, reading, sleep, uplinkConfig, waitFor } from '../uplink/util.js';

const CONSUMER = new URL('../../examples/backend/consumer.ts', import.meta.url).pathname;
const HUB = 'hub-shared';

let broker: TestBroker;
let dir: string;
beforeAll(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), 'carehub-backend-'));
});
afterAll(async () => {
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface Consumer { proc: ChildProcess; out: string }

async function startConsumer(id: string, db: string): Promise<Consumer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CONSUMER, '--url', broker.url, '--db', db, '--id', id], { stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Consumer = { proc, out: '' };
  proc.stdout?.on('data', (d: Buffer) => { c.out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { c.out += d.toString(); });
  await waitFor(() => c.out.includes('"subscribed"'), 20_000, `${id} subscribed (${c.out})`);
  return c;
}

function countStored(db: string): number {
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try { return Number(d.prepare('SELECT count(*) FROM readings').pluck().get()); } finally { d.close(); }
  } catch { return 0; }
}

// aedes (the fallback broker) has no MQTT 5 shared subscriptions
describe.skipIf(!hasMosquitto)('backend example: shared subscription consumers', () => {
  it('three consumers share the stream, one is killed mid-stream and comes back: every reading stored once', async () => {
    const db = join(dir, 'readings.db');
    const consumers = [await startConsumer('backend-1', db), await startConsumer('backend-2', db), await startConsumer('backend-3', db)];
    const ts = openTempStore();
    const up = new Uplink({
      config: uplinkConfig({ url: broker.url, protocolVersion: 5 }, { batchMaxReadings: 20, batchMaxDelayMs: 20 }),
      hubId: HUB, version: 't', outbox: ts.store, log: quietLog, clock: new SystemClock(true),
    });
    ts.store.onAppend(() => up.kick());
    const ids: string[] = [];
    try {
      await up.start();
      let t = Date.UTC(2026, 10, 23, 10);
      const produce = (n: number): void => {
        const rs = Array.from({ length: n }, (_, i) => reading(`oxi-${i % 3}`, (t += 100)));
        ts.store.insertReadings(rs);
        for (const r of rs) ids.push(r.id);
      };
      const producer = setInterval(() => produce(60), 20);
      await waitFor(() => countStored(db) > 600, 20_000, 'readings stored before the kill');
      consumers[1]!.proc.kill('SIGKILL');
      await sleep(1000);
      clearInterval(producer);
      produce(600); // more while one consumer is down
      consumers[1] = await startConsumer('backend-2', db);
      await waitFor(() => ts.store.depth().total === 0, 30_000, 'hub outbox drained');
      await waitFor(() => countStored(db) >= ids.length, 30_000, `every reading stored (${countStored(db)} of ${ids.length})`);
      const d = new Database(db, { readonly: true });
      const stored = d.prepare('SELECT id FROM readings').pluck().all() as string[];
      const by = d.prepare('SELECT by, count(*) AS n FROM readings GROUP BY by').all() as Array<{ by: string; n: number }>;
      d.close();
      // the shared subscription split the stream: no sticky routing, every consumer took some
      expect(by.map((b) => b.by).sort()).toEqual(['backend-1', 'backend-2', 'backend-3']);
      expect(stored.length).toBe(ids.length);
      expect(new Set(stored)).toEqual(new Set(ids));
      expect(ids.length).toBeGreaterThan(1500);
    } finally {
      await up.stop();
      ts.close();
      for (const c of consumers) c.proc.kill('SIGTERM');
      await sleep(300);
    }
  }, 90_000);
});
