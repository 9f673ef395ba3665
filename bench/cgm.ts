/**
 * CGM backfill benchmark: a sensor holding 14 days of 5-minute records (4,032) is connected
 * through noble (simulated bindings) and read by the real CGMS driver over RACP; every record
 * goes through the pipeline into the real SQLite store (group commit, fsync) and the backfill
 * cursor lives in the store's key/value table. Measured: from the moment the sensor sent the
 * last record to the moment all 4,032 are durably stored and the cursor points at the last one.
 * Target: ≤ 2,000 ms. Run alone: `node --import tsx bench/cgm.ts [dir]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FakeClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { SystemClock } from '../src/core/system-clock.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { Store } from '../src/store/store.js';
import { createSimulatedCentral } from '../src/transport/ble/noble-central.js';
import type { DeviceConfig } from '../src/config/schema.js';
import type { DriverContext } from '../drivers/types.js';
import { CgmsSession } from '../drivers/cgm-cgms/session.js';
import { createCgmSimulator } from '../drivers/cgm-cgms/simulator.js';
import { CGMS } from '../drivers/cgm-cgms/uuids.js';

const RECORDS = 4032;
const ADDRESS = 'C4:7A:11:02:33:9E';

export async function benchCgm(opts: { dir: string }): Promise<{ cgm_backfill_4032_ms: number; cgm_backfill_total_ms: number; cgm_records_stored: number }> {
  const log = silentLogger();
  const hubClock = new SystemClock(true);
  // The sensor lives on its own fake clock: 14 days of measuring take milliseconds.
  const sensorClock = new FakeClock(Date.now() - (RECORDS - 1) * 5 * 60_000);
  const sim = createCgmSimulator({ clock: sensorClock, log, address: ADDRESS, intervalMin: 5, mtu: 185, crc: 'mcrf4xx' });
  sensorClock.advance((RECORDS - 1) * 5 * 60_000);
  if (sim.model.records.length !== RECORDS) throw new Error(`sensor holds ${sim.model.records.length} records`);
  const lastOffset = sim.model.records.at(-1)?.offset ?? -1;

  let lastSentAt = 0;
  const attach = sim.attach.bind(sim);
  sim.attach = (link) => attach({
    notify(s, c, d) {
      link.notify(s, c, d);
      if (c === CGMS.MEASUREMENT) lastSentAt = performance.now();
    },
    disconnect: (r) => link.disconnect(r),
  });

  const store = Store.open({ path: join(opts.dir, 'cgm-bench.db'), maxBytes: 512 * 1024 ** 2, retainSentHours: 0, log, clock: hubClock, onTechnical: () => undefined });
  const pipeline = new Pipeline({ clock: hubClock, log, sink: store, alarms: { onReading: () => undefined, technical: () => undefined, deviceAlarm: () => undefined } });
  const { central } = createSimulatedCentral([sim], { log, clock: hubClock });
  const device = { id: 'cgm-1', kind: 'cgm', transport: 'ble', address: ADDRESS, options: { quirks: [], crc: 'mcrf4xx' } } as unknown as DeviceConfig;
  const state = store.deviceState(device.id);
  const ctx: DriverContext = {
    device, hubId: 'hub-bench', timeZone: 'UTC', log, clock: hubClock, state, ble: central,
    submit: (ms) => pipeline.submit(device.id, 'cgm', ms),
    linkFact: () => undefined, setBattery: () => undefined, reject: () => undefined,
    technical: () => undefined, deviceAlarm: () => undefined,
  };
  const session = new CgmsSession(ctx);
  const cursor = (): number | null => {
    const raw = state.get('cgms.session');
    return raw ? (JSON.parse(raw) as { cursor: number | null }).cursor : null;
  };
  try {
    const t0 = performance.now();
    await session.start();
    const deadline = t0 + 60_000;
    while (cursor() !== lastOffset) {
      if (performance.now() > deadline) throw new Error(`backfill incomplete: cursor ${String(cursor())}`);
      await new Promise((r) => setImmediate(r));
    }
    const done = performance.now();
    const stored = pipeline.counts(device.id).accepted;
    return {
      cgm_backfill_4032_ms: Math.round(done - lastSentAt),
      cgm_backfill_total_ms: Math.round(done - t0),
      cgm_records_stored: Math.round(stored / 2),
    };
  } finally {
    await session.stop();
    sim.stop();
    await central.close();
    store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'carehub-cgm-bench-'));
  benchCgm({ dir })
    .then((r) => { console.log(JSON.stringify(r)); if (!process.argv[2]) rmSync(dir, { recursive: true, force: true }); process.exit(0); })
    .catch((e: unknown) => { console.error(e); process.exit(1); });
}
