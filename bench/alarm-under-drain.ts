/**
 * alarm_latency_p99_ms under load: the alarm engine and the uplink draining a 1M-reading
 * backlog from a real SQLite store to a local broker run in THIS process (one event loop, as
 * in the hub). Latency = reading handed to the engine → annunciator invoked.
 */
import { join } from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/core/log.js';
import { SystemClock } from '../src/core/system-clock.js';
import { Uplink } from '../src/uplink/uplink.js';
import { createBroker } from '../test/helpers/broker.js';
import { benchAlarmLatency } from './alarms.js';
import { makeReadings, openBenchStore } from './store.js';

export async function benchAlarmUnderDrain(dir: string, n = 1_000_000): Promise<{ alarm_latency_p99_ms: number; alarm_latency_drain_s: number }> {
  const path = join(dir, 'alarm-drain.db');
  const store = openBenchStore(path);
  let start = Date.UTC(2026, 10, 23, 10);
  for (let done = 0, c = 0; done < n; done += 20_000, c++) {
    const batch = makeReadings(Math.min(20_000, n - done), 3, false, start);
    start = (batch[batch.length - 1]?.t ?? start) + 1000;
    for (const r of batch) r.id = `${r.id}.a.${c}`;
    store.insertReadings(batch);
  }
  const broker = await createBroker();
  await broker.start();
  const v: 4 | 5 = broker.kind === 'mosquitto' ? 5 : 4;
  const up = new Uplink({
    config: configSchema.shape.uplink.parse({ mqtt: { url: broker.url, protocolVersion: v } }),
    hubId: 'bench-alarm', version: 'bench', outbox: store, log: silentLogger(), clock: new SystemClock(true),
  });
  let drainS = 0;
  try {
    const r = await benchAlarmLatency(async () => {
      const t0 = performance.now();
      const done = new Promise<void>((resolve) => up.onIdle(() => { if (store.depth().total === 0) resolve(); }));
      await up.start();
      await done;
      drainS = (performance.now() - t0) / 1000;
    });
    return { ...r, alarm_latency_drain_s: Math.round(drainS * 100) / 100 };
  } finally {
    await up.stop();
    store.close();
    await broker.stop();
    await broker.dispose();
  }
}
