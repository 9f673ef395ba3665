import { realpathSync, statSync } from 'node:fs';
import { allDrivers } from '../../drivers/index.js';
import type { DriverDefinition } from '../../drivers/types.js';
import { FIRST_READING_WAIT_MS, firstMeasurements, probeOverCentral } from '../cli/pair-probe.js';
import { addDeviceEntry, deviceConfigOf, readDoc } from '../config/pair-entry.js';
import type { DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { metricSpec } from '../core/metrics/index.js';
import type { Measurement } from '../core/reading.js';
import { describeDeviceInformation } from '../transport/ble/device-information.js';
import { listSerialPorts, type SerialPortInfo } from '../transport/serial/list.js';
import { centralOf, pairDevice, scanAll, type PairingBle, type ScanRow } from './wizard-ble.js';

/** Scan length bounds (seconds): every scan holds the hub's central, so it stays short. */
export const SCAN_MIN_S = 2;
export const SCAN_MAX_S = 15;
/** A pairing job (connect, pair, first reading) ends by this time whatever the steps do. */
export const JOB_MAX_MS = 90_000;
/** Serial ports listed, at most. */
export const MAX_PORTS = 32;
const PASSKEY = /^[0-9]{6}$/;
const TCP = /^tcp:\/\/[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/;

export type JobState = 'idle' | 'pairing' | 'needs_passkey' | 'reading' | 'ready' | 'failed' | 'saved';

/** What the wizard page polls: the scan and the one pairing job (passkeys never appear here). */
export interface WizardView {
  scan: { running: boolean; at: string | null; rows: Array<ScanRow & { configured: string | null }>; problems: string[] };
  job: {
    state: JobState;
    target: { kind: string; protocol: string; address?: string; path?: string; name: string | null; display?: string } | null;
    info: string | null;
    reading: Array<{ metric: string; value: number; unit: string }>;
    note: string | null;
    error: string | null;
    saved: { id: string; file: string } | null;
  };
}

export interface WizardDeps {
  ble: PairingBle | null;
  /** The config file the hub runs from; none: the wizard pairs and shows the first reading but cannot save. */
  configFile: string | undefined;
  /** The devices of the running config. */
  running: readonly DeviceConfig[];
  log: Logger;
  clock: Clock;
  firstReadingWaitMs?: number;
}

/** Called once when a job ends (the console audits the outcome). */
export type JobEnd = (outcome: { state: JobState; error: string | null; readings: number }) => void;

type Target = { kind: DeviceConfig['kind']; protocol: string; address?: string; path?: string; name: string | null; simulated: boolean; display?: string };

/**
 * The pairing wizard's server side: at most one scan and one pairing job at a time, each step
 * bounded in time, results bounded in count. A BLE job: pair (passkey when the device asks) →
 * first reading through the device's own driver → ready to save. A serial job: open the port →
 * first frame through the driver → ready. Save writes the entry with `carehub pair`'s code.
 * A passkey lives only in the call that pairs; it is never kept, logged or shown.
 */
export class PairingWizard {
  private drivers: DriverDefinition[] | null = null;
  private scanning = false;
  private scanAt: string | null = null;
  private rows: ScanRow[] = [];
  private problems: string[] = [];
  private state: JobState = 'idle';
  private target: Target | null = null;
  private info: string | null = null;
  private reading: Measurement[] = [];
  private note: string | null = null;
  private error: string | null = null;
  private saved: { id: string; file: string } | null = null;

  constructor(private readonly d: WizardDeps) {}

  get busy(): boolean { return this.state === 'pairing' || this.state === 'reading'; }

  view(): WizardView {
    const configured = this.configured();
    return {
      scan: { running: this.scanning, at: this.scanAt, rows: this.rows.map((r) => ({ ...r, configured: configured.get(r.address.toUpperCase()) ?? null })), problems: this.problems },
      job: {
        state: this.state,
        target: this.target ? { kind: this.target.kind, protocol: this.target.protocol, name: this.target.name, ...(this.target.address ? { address: this.target.address } : {}), ...(this.target.path ? { path: this.target.path } : {}), ...(this.target.display && this.state === 'needs_passkey' ? { display: this.target.display } : {}) } : null,
        info: this.info,
        reading: this.reading.map((m) => ({ metric: m.metric, value: m.value, unit: metricSpec(m.metric)?.unit ?? '' })),
        note: this.note, error: this.error, saved: this.saved,
      },
    };
  }

  /** Start a scan of `seconds` (bounded); a string says why not. */
  startScan(seconds: unknown): string | null {
    const s = seconds === undefined ? 6 : Number(seconds);
    if (!Number.isInteger(s) || s < SCAN_MIN_S || s > SCAN_MAX_S) return `seconds is a whole number from ${SCAN_MIN_S} to ${SCAN_MAX_S}`;
    if (!this.d.ble) return 'this hub has no Bluetooth';
    if (this.scanning) return 'a scan is running';
    this.scanning = true;
    void this.runScan(this.d.ble, s);
    return null;
  }

  private async runScan(ble: PairingBle, seconds: number): Promise<void> {
    try {
      this.drivers ??= (await allDrivers()).filter((x) => x.transport === 'ble');
      const r = await scanAll(ble, this.drivers, seconds);
      this.rows = r.rows;
      this.problems = r.problems;
    } catch (e) {
      this.rows = [];
      this.problems = [e instanceof Error ? e.message : String(e)];
    } finally {
      this.scanAt = new Date(this.d.clock.now()).toISOString();
      this.scanning = false;
      this.d.log.info({ devices: this.rows.length, problems: this.problems.length }, 'pairing wizard scan done');
    }
  }

  /** Pair a device of the last scan; `passkey` when it asked for one. A string says why not (nothing started). */
  startPair(address: unknown, passkey: unknown, onEnd: JobEnd = () => undefined): string | null {
    if (this.busy) return 'a pairing is in progress';
    const row = this.rows.find((r) => r.address === String(address).toUpperCase());
    if (!row || !this.d.ble) return 'choose a device from the last scan';
    const taken = this.configured().get(row.address);
    if (taken) return `${row.address} is already configured as ${taken}`;
    if (passkey !== undefined && passkey !== null && passkey !== '' && (typeof passkey !== 'string' || !PASSKEY.test(passkey))) return 'the passkey is the 6 digits the device shows';
    const key = typeof passkey === 'string' && passkey !== '' ? passkey : null;
    const target: Target = { kind: row.kind, protocol: row.protocol, address: row.address, name: row.name, simulated: row.source === 'sim', ...(row.display ? { display: row.display } : {}) };
    this.begin(target, 'pairing');
    void this.bounded(this.runPair(this.d.ble, row, target, key), onEnd);
    return null;
  }

  private async runPair(ble: PairingBle, row: ScanRow, target: Target, passkey: string | null): Promise<void> {
    const r = await pairDevice(ble, row, passkey);
    if (!r.ok) {
      this.finish(r.needsPasskey ? 'needs_passkey' : 'failed', r.needsPasskey && passkey === null ? null : r.message);
      this.d.log.warn({ address: row.address, needsPasskey: r.needsPasskey }, 'pairing wizard: pairing not done');
      return;
    }
    this.state = 'reading';
    const device = this.deviceOf(target);
    const central = centralOf(ble, row);
    if (typeof device === 'string' || !central) { this.finish('failed', typeof device === 'string' ? device : 'no central'); return; }
    const p = await probeOverCentral(central, device, this.d.clock, this.d.firstReadingWaitMs ?? FIRST_READING_WAIT_MS);
    this.info = p.info ? describeDeviceInformation(p.info) || null : null;
    this.reading = p.frame;
    this.note = p.problem;
    this.finish('ready', null);
  }

  /** Serial ports present (stable by-id paths first), at most MAX_PORTS, with what uses them. */
  async ports(): Promise<Array<SerialPortInfo & { configured: string | null }>> {
    const ports = (await listSerialPorts()).sort((a, b) => Number(b.path.startsWith('/dev/serial/by-id/')) - Number(a.path.startsWith('/dev/serial/by-id/'))).slice(0, MAX_PORTS);
    const used = this.configuredPaths();
    return ports.map((p) => ({ ...p, configured: used.get(real(p.path)) ?? used.get(p.device) ?? null }));
  }

  /** Open a serial port (listed or typed) with a protocol's driver and wait for its first frame. */
  startSerial(path: unknown, protocol: unknown, onEnd: JobEnd = () => undefined): string | null {
    if (this.busy) return 'a pairing is in progress';
    if (typeof path !== 'string' || path.length > 1024) return 'path is a device path (/dev/...) or tcp://host:port';
    const p = path.trim();
    if (!TCP.test(p)) {
      if (!p.startsWith('/')) return 'path is a device path (/dev/...) or tcp://host:port';
      try {
        if (!statSync(p).isCharacterDevice()) return `${p} is not a serial device`;
      } catch (e) {
        return `${p}: ${(e as NodeJS.ErrnoException).code ?? 'cannot be opened'}`;
      }
    }
    const proto = typeof protocol === 'string' ? protocol : 'medibus';
    // the ventilator is the one serial kind; the schema refuses a protocol of another kind
    const entry = deviceConfigOf({ id: 'wizard', kind: 'ventilator', transport: 'serial', protocol: proto, path: p });
    if (typeof entry === 'string') return entry;
    const taken = this.configuredPaths().get(real(p));
    if (taken) return `${p} is used by ${taken}: the wizard never opens a port a configured device reads`;
    const target: Target = { kind: entry.kind, protocol: proto, path: p, name: null, simulated: false };
    this.begin(target, 'reading');
    void this.bounded(this.runSerial(entry, p), onEnd);
    return null;
  }

  private async runSerial(device: DeviceConfig, path: string): Promise<void> {
    const wait = this.d.firstReadingWaitMs ?? FIRST_READING_WAIT_MS;
    try {
      this.reading = await firstMeasurements({ serialPath: path }, device, this.d.clock, wait);
      if (this.reading.length === 0) { this.finish('failed', `no frame within ${Math.round(wait / 1000)} s: check the port, the cable and the protocol`); return; }
      this.finish('ready', null);
    } catch (e) {
      this.finish('failed', e instanceof Error ? e.message : String(e));
    }
  }

  /** Write the device of a ready job into the config file (`carehub pair`'s code). */
  save(id: unknown): { ok: true; id: string; file: string } | { ok: false; status: number; error: string } {
    if (this.state !== 'ready' || !this.target) return { ok: false, status: 409, error: 'nothing ready to save: pair a device first' };
    if (!this.d.configFile) return { ok: false, status: 404, error: 'this hub was not started from a configuration file: nothing can be saved' };
    if (id !== undefined && id !== '' && typeof id !== 'string') return { ok: false, status: 400, error: 'id is text' };
    const t = this.target;
    const r = addDeviceEntry(this.d.configFile, { kind: t.kind, target: t.address ?? t.path ?? '', protocol: t.protocol, id: typeof id === 'string' && id !== '' ? id : undefined, simulate: t.simulated ? 'normal' : undefined });
    if (!r.ok) return { ok: false, status: r.kind === 'usage' ? 422 : 500, error: r.message };
    this.saved = { id: r.id, file: this.d.configFile };
    this.state = 'saved';
    return { ok: true, id: r.id, file: this.d.configFile };
  }

  /** Forget the job (not while one runs). */
  reset(): string | null {
    if (this.busy) return 'a pairing is in progress';
    this.begin(null, 'idle');
    return null;
  }

  private begin(target: Target | null, state: JobState): void {
    this.target = target;
    this.state = state;
    this.info = null;
    this.reading = [];
    this.note = null;
    this.error = null;
    this.saved = null;
  }

  private finish(state: JobState, error: string | null): void {
    this.state = state;
    this.error = error;
  }

  /** A job that outlives JOB_MAX_MS is failed and the slot freed (each step has its own bound too). */
  private async bounded(job: Promise<void>, onEnd: JobEnd): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), JOB_MAX_MS); });
    try {
      const r = await Promise.race([job.then(() => 'done' as const), timeout]);
      if (r === 'timeout') this.finish('failed', `gave up after ${JOB_MAX_MS / 1000} s`);
    } catch (e) {
      this.finish('failed', e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
    try { onEnd({ state: this.state, error: this.error, readings: this.reading.length }); } catch (e) { this.d.log.error({ err: String(e) }, 'pairing wizard: job end hook failed'); }
  }

  private deviceOf(t: Target): DeviceConfig | string {
    return deviceConfigOf({ id: 'wizard', kind: t.kind, transport: t.address ? 'ble' : 'serial', protocol: t.protocol, ...(t.address ? { address: t.address } : { path: t.path ?? '' }) });
  }

  /** Addresses already configured (running config and the file as it is now) → device id. */
  private configured(): Map<string, string> {
    const m = new Map<string, string>();
    for (const d of this.devices()) if (d.address) m.set(d.address.toUpperCase(), d.id);
    return m;
  }

  private configuredPaths(): Map<string, string> {
    const m = new Map<string, string>();
    for (const d of this.devices()) if (d.path) m.set(real(d.path), d.id);
    return m;
  }

  private devices(): Array<{ id: string; address?: string | undefined; path?: string | undefined }> {
    const out: Array<{ id: string; address?: string | undefined; path?: string | undefined }> = [...this.d.running];
    if (!this.d.configFile) return out;
    const doc = readDoc(this.d.configFile);
    if (typeof doc === 'string') return out;
    const list = doc.toJS() as { devices?: unknown };
    if (!Array.isArray(list.devices)) return out;
    for (const x of list.devices.slice(0, 256) as Array<Record<string, unknown>>) {
      if (x && typeof x === 'object' && typeof x['id'] === 'string') out.push({ id: x['id'], address: typeof x['address'] === 'string' ? x['address'] : undefined, path: typeof x['path'] === 'string' ? x['path'] : undefined });
    }
    return out;
  }
}

/** The device node behind a path (by-id link, pty link); the path itself when it cannot be resolved. */
function real(path: string): string {
  if (path.startsWith('tcp://')) return path;
  try { return realpathSync(path); } catch { return path; }
}
