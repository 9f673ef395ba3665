import { loadDriver } from '../../drivers/index.js';
import type { DriverContext } from '../../drivers/types.js';
import { defaultProtocol, type DeviceConfig } from '../config/schema.js';
import { silentLogger } from '../core/log.js';
import { metricSpec } from '../core/metrics/index.js';
import type { Measurement } from '../core/reading.js';
import type { Clock } from '../core/clock.js';
import { SystemClock } from '../core/system-clock.js';
import { describeDeviceInformation, readDeviceInformation, type DeviceInformation } from '../transport/ble/device-information.js';
import { createNobleCentral } from '../transport/ble/noble-central.js';
import type { BleCentral } from '../transport/ble/types.js';

/** How long `carehub pair` waits for the first reading (a CGM may measure every 5 minutes: then it says so). */
export const FIRST_READING_WAIT_MS = 30_000;

export interface ProbeResult {
  info: DeviceInformation | null;
  first: Measurement | null;
  /** What went wrong, for the user; null when both steps worked. */
  problem: string | null;
}

/**
 * After bonding, before the config entry is written: connect over the new bond through BlueZ
 * (noble's D-Bus bindings), read the Device Information Service, then run the device's own
 * driver until its first measurement (bounded by `waitMs`). Nothing is stored: the driver gets a
 * context whose submit only keeps the first measurement and whose state lives in memory. Every
 * step is bounded; a failure is reported, never fatal (the bond is made).
 */
export async function probeBondedDevice(adapter: string, device: DeviceConfig, waitMs = FIRST_READING_WAIT_MS): Promise<ProbeResult> {
  const clock = new SystemClock(true);
  const central = createNobleCentral({ bindings: 'bluez', adapter, log: silentLogger(), clock });
  try {
    await central.ready(10_000);
    return await probeOverCentral(central, device, clock, waitMs);
  } catch (e) {
    return { info: null, first: null, problem: e instanceof Error ? e.message : String(e) };
  } finally {
    await central.close();
  }
}

/**
 * Device information and first reading of a bonded device over a central that is already open
 * (the CLI's own, or the running hub's for the console's pairing wizard). Never throws.
 */
export async function probeOverCentral(central: BleCentral, device: DeviceConfig, clock: Clock, waitMs = FIRST_READING_WAIT_MS): Promise<ProbeResult & { frame: Measurement[] }> {
  const r: ProbeResult & { frame: Measurement[] } = { info: null, first: null, problem: null, frame: [] };
  try {
    const conn = await central.connect(device.address ?? '', 15_000);
    try { r.info = await readDeviceInformation(conn); } finally { await conn.disconnect(); }
    r.frame = await firstMeasurements({ ble: central }, device, clock, waitMs);
    r.first = r.frame[0] ?? null;
    if (!r.first) r.problem = `no reading within ${Math.round(waitMs / 1000)} s (the sensor may measure only every few minutes)`;
  } catch (e) {
    r.problem = e instanceof Error ? e.message : String(e);
  }
  return r;
}

/** Measurements of the first submit kept, at most. */
export const FIRST_FRAME_MAX = 12;

/**
 * The device's own driver, run until its first submit (bounded by `waitMs`) with a context that
 * stores nothing: state in memory, alarms and rejections dropped. The measurements of that first
 * submit (at most FIRST_FRAME_MAX); empty when none came in time. Throws when the device refused
 * pairing (BLE) or the port is gone (serial).
 */
export async function firstMeasurements(link: { ble?: BleCentral; serialPath?: string }, device: DeviceConfig, clock: Clock, waitMs: number): Promise<Measurement[]> {
  const driver = await loadDriver(device.protocol ?? defaultProtocol(device.kind));
  const state = new Map<string, string>();
  let refused: string | null = null;
  let done: (m: Measurement[]) => void = () => undefined;
  const got = new Promise<Measurement[]>((resolve) => { done = resolve; });
  const ctx: DriverContext = {
    device, hubId: 'pair', log: silentLogger(), clock, timeZone: 'UTC', ...link,
    submit: (ms) => { if (ms.length > 0) done(ms.slice(0, FIRST_FRAME_MAX)); return Promise.resolve(); },
    linkFact: (f) => { if (f.fact === 'lost' && link.serialPath !== undefined) { refused = f.detail; done([]); } },
    setBattery: () => undefined,
    reject: () => undefined,
    technical: (c) => { if (c.code === 'ble_pairing_required' && c.active) { refused = c.text; done([]); } },
    deviceAlarm: () => undefined,
    state: { get: (k) => state.get(k), set: (k, v) => { state.set(k, v); } },
  };
  const session = driver.create(ctx);
  const timer = setTimeout(() => done([]), waitMs);
  try {
    await session.start();
    const ms = await got;
    if (refused) throw new Error(refused);
    return ms;
  } finally {
    clearTimeout(timer);
    await session.stop();
  }
}

/** One line per result for the terminal. */
export function describeProbe(r: ProbeResult): string {
  const lines: string[] = [];
  if (r.info) lines.push(`device information: ${describeDeviceInformation(r.info) || 'none (no Device Information Service)'}`);
  if (r.first) {
    const unit = metricSpec(r.first.metric)?.unit ?? '';
    const at = r.first.t !== undefined ? ` at ${new Date(r.first.t).toISOString()}` : '';
    lines.push(`first reading: ${r.first.metric} ${r.first.value}${unit ? ` ${unit}` : ''}${at}`);
  }
  if (r.problem) lines.push(`note: ${r.problem}; the entry is written anyway, the hub connects after a restart`);
  return `${lines.join('\n')}\n`;
}
