import type { TechnicalCondition, DeviceAlarm } from '../../src/alarms/types.js';
import { FakeClock, type Clock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import type { Measurement } from '../../src/core/reading.js';
import type { DeviceConfig } from '../../src/config/schema.js';
import type { BleCentral } from '../../src/transport/ble/types.js';
import type { DriverContext, LinkState, Rejection } from '../../drivers/types.js';

/**
 * A DriverContext for tests: records everything a driver hands to the hub so tests can assert
 * on it. Reusable by every driver's tests (BLE and serial).
 */
export interface FakeDriverContext extends DriverContext {
  clock: Clock;
  /** Every measurement submitted, in order. */
  submitted: Measurement[];
  /** Every submit call (batch boundaries). */
  batches: Measurement[][];
  /** Every link transition, in order (repeats included, so tests can check "once"). */
  links: { state: LinkState; detail?: string }[];
  technicals: Omit<TechnicalCondition, 'device'>[];
  deviceAlarms: DeviceAlarm[];
  rejections: Rejection[];
  batteries: (number | null)[];
  stateStore: Map<string, string>;
  /** Last link state, or undefined before the first. */
  link(): LinkState | undefined;
  /** Is technical condition `code` currently active (last report wins)? */
  technicalActive(code: string): boolean;
  /** Submitted measurements of one metric. */
  metric(name: string): Measurement[];
  /** Resolves when at least `n` measurements have been submitted (polling the event loop). */
  waitForSubmitted(n: number, timeoutMs?: number): Promise<void>;
}

export interface FakeDriverContextOptions {
  device?: Partial<DeviceConfig>;
  clock?: Clock;
  log?: Logger;
  ble?: BleCentral;
  serialPath?: string;
  hubId?: string;
  /** Make submit slow or failing to test back-pressure. */
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
  const stateStore = new Map<string, string>();
  const ctx: FakeDriverContext = {
    device,
    hubId: o.hubId ?? 'hub-test',
    log: o.log ?? silentLogger(),
    clock: o.clock ?? new FakeClock(),
    submitted: [],
    batches: [],
    links: [],
    technicals: [],
    deviceAlarms: [],
    rejections: [],
    batteries: [],
    stateStore,
    state: { get: (k) => stateStore.get(k), set: (k, v) => { stateStore.set(k, v); } },
    async submit(ms) {
      ctx.batches.push(ms);
      ctx.submitted.push(...ms);
      if (o.onSubmit) await o.onSubmit(ms);
    },
    setLink(state, detail) { ctx.links.push(detail === undefined ? { state } : { state, detail }); },
    setBattery(pct) { ctx.batteries.push(pct); },
    reject(r) { ctx.rejections.push(r); },
    technical(c) { ctx.technicals.push(c); },
    deviceAlarm(a) { ctx.deviceAlarms.push(a); },
    link() { return ctx.links.at(-1)?.state; },
    technicalActive(code) {
      for (let i = ctx.technicals.length - 1; i >= 0; i--) {
        const t = ctx.technicals[i];
        if (t && t.code === code) return t.active;
      }
      return false;
    },
    metric(name) { return ctx.submitted.filter((m) => m.metric === name); },
    async waitForSubmitted(n, timeoutMs = 2000) {
      const start = Date.now();
      while (ctx.submitted.length < n) {
        if (Date.now() - start > timeoutMs) throw new Error(`expected ${n} measurements, got ${ctx.submitted.length}`);
        await new Promise((r) => setImmediate(r));
      }
    },
  };
  if (o.ble) ctx.ble = o.ble;
  if (o.serialPath) ctx.serialPath = o.serialPath;
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
