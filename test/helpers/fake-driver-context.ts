import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { resolveAlarms } from '../../src/alarms/defaults.js';
import type { AlarmsConfig } from '../../src/alarms/config-schema.js';
import { AlarmEngine } from '../../src/alarms/engine.js';
import type { ActiveAlarm, AlarmEvent, AlarmInputs, DeviceAlarm, TechnicalCondition } from '../../src/alarms/types.js';
import { FakeClock, type Clock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import type { Measurement } from '../../src/core/reading.js';
import type { DeviceConfig } from '../../src/config/schema.js';
import { DeviceRegistry } from '../../src/hub/device-registry.js';
import { makeDriverContext, type HubDriverContext } from '../../src/hub/driver-context.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Store } from '../../src/store/store.js';
import type { BleCentral } from '../../src/transport/ble/types.js';
import type { LinkState, Rejection } from '../../drivers/types.js';

/**
 * The PRODUCTION DriverContext of one device (src/hub/driver-context.ts makeDriverContext, with
 * its link owner) over the real hub parts: a real Pipeline, AlarmEngine (shipped default rules
 * unless `alarms` is given), DeviceRegistry and Store on a temporary SQLite file. It records what
 * flows through so driver tests can assert on it; the state it reports (`link()`,
 * `technicalActive()`, `active()`) is read from the real registry and engine, never re-derived.
 * (The old hand-written fake cleared `link_lost` differently from production; issue 9, item 12.)
 */
export interface FakeDriverContext extends HubDriverContext {
  clock: Clock;
  /** Every measurement the driver submitted, in order. */
  submitted: Measurement[];
  /** Every submit call (batch boundaries). */
  batches: Measurement[][];
  /** Every change of the device's link state in the registry, starting with the initial 'connecting'. */
  links: { state: LinkState; detail?: string }[];
  /** Every technical condition of this device that reached the alarm engine (link owner included). */
  technicals: Omit<TechnicalCondition, 'device'>[];
  deviceAlarms: DeviceAlarm[];
  rejections: Rejection[];
  batteries: (number | null)[];
  /** The device's persistent state as stored in SQLite. */
  stateStore: { get(key: string): string | undefined };
  /** Every alarm event the engine emitted (raised, cleared, ...), any condition. */
  alarmEvents: AlarmEvent[];
  engine: AlarmEngine;
  registry: DeviceRegistry;
  store: Store;
  /** The device's link state in the registry (what `status` and the devices topic show). */
  link(): LinkState;
  /** Is technical condition `code` of this device active in the alarm engine right now? */
  technicalActive(code: string): boolean;
  /** The engine's active alarm of this device for `condition`, if any. */
  active(condition: string): ActiveAlarm | undefined;
  /** Submitted measurements of one metric. */
  metric(name: string): Measurement[];
  /** Resolves when at least `n` measurements have been submitted (polling the event loop). */
  waitForSubmitted(n: number, timeoutMs?: number): Promise<void>;
  /** Stops the engine and the link owner, closes and deletes the store (also done after each test). */
  dispose(): void;
}

export interface FakeDriverContextOptions {
  device?: Partial<DeviceConfig>;
  clock?: Clock;
  log?: Logger;
  ble?: BleCentral;
  serialPath?: string;
  hubId?: string;
  /** The hub's IANA time zone handed to the driver (default 'UTC'). */
  timeZone?: string;
  /** Alarm rules (default: the shipped defaults, as a hub without an `alarms:` section). */
  alarms?: AlarmsConfig;
  /** SQLite file of the store (a hub restart: a second context on the same file); kept on dispose. Default: a temp file. */
  storePath?: string;
  /** Runs inside submit after the hub took the data: make it slow or failing to test back-pressure. */
  onSubmit?: (ms: Measurement[]) => Promise<void> | void;
}

const DEFAULT_OPTIONS: DeviceConfig['options'] = {
  quirks: [], readingRateHz: 1, waveform: false, waveformHz: 25, baud: 19200, parity: 'even', dataBits: 8, stopBits: 1,
};

export function fakeDriverContext(o: FakeDriverContextOptions = {}): FakeDriverContext {
  const device: DeviceConfig = {
    id: 'dev-1', kind: 'oximeter', transport: 'ble',
    ...o.device,
    options: { ...DEFAULT_OPTIONS, ...(o.device?.options ?? {}) },
  } as DeviceConfig;
  const clock = o.clock ?? new FakeClock();
  const log = o.log ?? silentLogger();
  const hubId = o.hubId ?? 'hub-test';
  const dir = o.storePath ? undefined : mkdtempSync(join(tmpdir(), 'carehub-driver-'));

  const registry = new DeviceRegistry([device], clock, log);
  let engine: AlarmEngine | undefined;
  const early: TechnicalCondition[] = [];
  const store = Store.open({
    path: o.storePath ?? join(dir!, 'hub.db'), maxBytes: 256 * 1024 * 1024, retainSentHours: 0, log, clock,
    onTechnical: (c) => (engine ? engine.technical(c) : early.push(c)),
    groupCommit: { windowMs: 0 },
  });
  const alarmEvents: AlarmEvent[] = [];
  const eng = new AlarmEngine({
    rules: resolveAlarms(o.alarms), hubId, clock, log, annunciators: [],
    persistence: { load: () => store.kvGet('alarms.state'), save: (json) => store.kvSet('alarms.state', json) },
    onEvent: (ev) => { alarmEvents.push(ev); store.addAlarmEvent(ev); },
    onActive: () => undefined,
  });
  engine = eng;
  for (const c of early) eng.technical(c);
  eng.start();

  const technicals: Omit<TechnicalCondition, 'device'>[] = [];
  const deviceAlarms: DeviceAlarm[] = [];
  const recording: AlarmInputs = {
    onReading: (r) => eng.onReading(r),
    technical: (c) => {
      if (c.device === device.id) { const { device: _d, ...rest } = c; technicals.push(rest); }
      eng.technical(c);
    },
    deviceAlarm: (id, a) => { if (id === device.id) deviceAlarms.push(a); eng.deviceAlarm(id, a); },
  };
  const pipeline = new Pipeline({
    clock, log, alarms: recording, sink: store,
    onAccepted: (r) => registry.seen(r),
    onRejected: (id, _metric, reason) => registry.reject(id, `implausible:${reason}`),
  });

  const links: { state: LinkState; detail?: string }[] = [{ state: registry.list()[0]!.link }];
  const batteries: (number | null)[] = [];
  registry.onChange(() => {
    const e = registry.status().find((d) => d.id === device.id);
    if (!e) return;
    if (e.link !== links.at(-1)?.state) links.push(e.detail === null ? { state: e.link } : { state: e.link, detail: e.detail });
    if (e.battery !== (batteries.length ? batteries.at(-1) : null)) batteries.push(e.battery);
  });

  const prod = makeDriverContext(device, {
    hubId, clock, log, timeZone: o.timeZone ?? 'UTC', pipeline, alarms: recording, registry, store,
    ...(o.ble ? { ble: o.ble } : {}), ...(o.serialPath ? { serialPath: o.serialPath } : {}),
  });
  const submitted: Measurement[] = [];
  const batches: Measurement[][] = [];
  const rejections: Rejection[] = [];
  let disposed = false;

  const ctx: FakeDriverContext = {
    ...prod,
    clock,
    submitted, batches, links, technicals, deviceAlarms, rejections, batteries, alarmEvents,
    engine: eng, registry, store,
    stateStore: { get: (k) => prod.state.get(k) },
    async submit(ms) {
      batches.push(ms);
      submitted.push(...ms);
      const stored = prod.submit(ms);
      stored.catch(() => undefined); // awaited below; never an unhandled rejection while onSubmit waits
      if (o.onSubmit) await o.onSubmit(ms);
      await stored;
    },
    reject(r) { rejections.push(r); prod.reject(r); },
    link() { return registry.list().find((d) => d.id === device.id)!.link; },
    technicalActive(code) { return ctx.active(code) !== undefined; },
    active(condition) { return eng.active().find((a) => a.condition === condition && a.device === device.id); },
    metric(name) { return submitted.filter((m) => m.metric === name); },
    async waitForSubmitted(n, timeoutMs = 2000) {
      const start = Date.now();
      while (submitted.length < n) {
        if (Date.now() - start > timeoutMs) throw new Error(`expected ${n} measurements, got ${submitted.length}`);
        await new Promise((r) => setImmediate(r));
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      prod.close();
      eng.stop();
      store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  try { onTestFinished(() => ctx.dispose()); } catch { /* created outside a test: the caller disposes */ }
  return ctx;
}

/** Let pending microtasks and immediates run (simulated BLE delivers asynchronously). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Advance a FakeClock in steps, letting async work run between steps, so that timers,
 * simulated BLE traffic and driver promises interleave as they would in real time.
 */
export async function advance(clock: FakeClock, ms: number, stepMs = 100): Promise<void> {
  let left = ms;
  while (left > 0) {
    const d = Math.min(stepMs, left);
    clock.advance(d);
    left -= d;
    await flush(3);
  }
}
