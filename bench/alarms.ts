import { performance } from 'node:perf_hooks';
import { alarmsSchema } from '../src/alarms/config-schema.js';
import { AlarmEngine } from '../src/alarms/engine.js';
import { ConsoleAnnunciator } from '../src/alarms/annunciators/console.js';
import type { Annunciator } from '../src/alarms/annunciators/types.js';
import { silentLogger } from '../src/core/log.js';
import type { Reading } from '../src/core/reading.js';
import { SystemClock } from '../src/core/system-clock.js';

/**
 * Alarm latency: from a reading handed to the engine (onReading, as the pipeline does) to the
 * annunciators being invoked with the new signal, p99 in ms. Each sample is a transition
 * (SpO2 80 → raise, 97 → clear, no condition delay), with ordinary readings of other devices
 * in between. `load`, when given, runs concurrently (e.g. the outbox draining a 1M backlog);
 * sampling continues until it finishes, and for at least 2000 transitions.
 */
export async function benchAlarmLatency(load?: () => Promise<void>): Promise<{ alarm_latency_p99_ms: number }> {
  const clock = new SystemClock(true);
  const log = silentLogger();
  let invokedAt = 0;
  const probe: Annunciator = { name: 'probe', signal: () => { invokedAt = performance.now(); } };
  const engine = new AlarmEngine({
    rules: alarmsSchema.parse({
      mode: 'replace',
      rules: {
        spo2: { staleAfterIntervals: 1000, low: { levels: [{ limit: 88, priority: 'medium' }, { limit: 85, priority: 'high' }], hysteresis: 1 } },
        pulse_rate: { staleAfterIntervals: 1000, low: { levels: [{ limit: 40, priority: 'medium', delayS: 30 }] }, high: { levels: [{ limit: 130, priority: 'medium', delayS: 30 }] } },
      },
    }),
    hubId: 'bench',
    clock,
    log,
    resolve: (s) => s,
    annunciators: [probe, new ConsoleAnnunciator({ log })],
    onEvent: (ev) => { JSON.stringify(ev); },
    onActive: (list) => { JSON.stringify(list); },
  });
  engine.start();
  let n = 0;
  const reading = (device: string, metric: string, value: number): Reading => ({
    id: `b${n++}`, device, kind: 'oximeter', metric, mdc: null, value, unit: '%', t: Date.now(), rx: Date.now(), clock: 'hub', flags: [], lane: 1,
  });
  const samples: number[] = [];
  let loadDone = load === undefined;
  const running = load ? load().finally(() => { loadDone = true; }) : Promise.resolve();
  try {
    for (let i = 0; samples.length < 2000 || !loadDone; i++) {
      for (let k = 0; k < 5; k++) engine.onReading(reading(`oxi-${k + 2}`, 'pulse_rate', 70));
      const r = reading('oxi-1', 'spo2', i % 2 === 0 ? 80 : 97);
      invokedAt = 0;
      const t0 = performance.now();
      engine.onReading(r);
      if (invokedAt > 0) samples.push(invokedAt - t0);
      await new Promise<void>((res) => setImmediate(res));
      if (samples.length > 200_000) break;
    }
    await running;
  } finally {
    engine.stop();
  }
  samples.sort((a, b) => a - b);
  const p99 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] ?? 0;
  return { alarm_latency_p99_ms: Math.round(p99 * 1000) / 1000 };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const busy = async (): Promise<void> => {
    // a stand-in load: 3 s of JSON work in slices, as an outbox drain would do
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      const rows = Array.from({ length: 2000 }, (_, i) => ({ i, v: Math.random(), t: new Date().toISOString() }));
      JSON.parse(JSON.stringify(rows));
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  console.log(JSON.stringify({ idle: await benchAlarmLatency(), busy: await benchAlarmLatency(busy) }));
}
