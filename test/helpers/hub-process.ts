import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStoredReadings } from '../../src/rig/stored.js';
import { connect, type MqttClient } from 'mqtt';

/** A `carehub run` child process, as systemd would run it. */
export class HubProcess {
  private proc: ChildProcess | null = null;
  private exit: Promise<number | null> | null = null;
  log = '';

  constructor(private readonly configPath: string, private readonly env: NodeJS.ProcessEnv = {}, private readonly args: string[] = []) {}

  start(): void {
    this.proc = spawn(process.execPath, ['bin/carehub.js', 'run', '--config', this.configPath, ...this.args], {
      env: { ...process.env, CAREHUB_FROM_SOURCE: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = this.proc;
    this.exit = new Promise((resolve) => p.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    this.proc.stdout?.on('data', (d: Buffer) => { this.log += d.toString(); });
    this.proc.stderr?.on('data', (d: Buffer) => { this.log += d.toString(); });
  }

  /** True while the process has not exited. */
  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Sends a signal without waiting for the process to end. */
  signal(signal: NodeJS.Signals): void {
    this.proc?.kill(signal);
  }

  /** The exit code once the process ends (-1 when a signal ended it); rejects after timeoutMs. */
  async exited(timeoutMs: number): Promise<number | null> {
    if (!this.exit) throw new Error('not started');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`hub still running after ${timeoutMs} ms; log:\n${this.log.slice(-3000)}`)), timeoutMs); });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return p?.exitCode ?? null;
    const done = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
    p.kill(signal);
    const code = await done;
    this.proc = null;
    return code;
  }
}

export function writeHubConfig(dir: string, brokerUrl: string, protocolVersion: 4 | 5, devices: string[], extra = '', file = 'carehub.yaml'): string {
  const path = join(dir, file);
  writeFileSync(path, `hub: { id: hub-it }
storage: { path: ${join(dir, 'carehub.db')}, maxBytes: 64MB }
uplink:
  mqtt: { url: "${brokerUrl}", protocolVersion: ${protocolVersion}, reconnectMinMs: 200, reconnectMaxMs: 1000 }
  batchMaxDelayMs: 50
devices:${devices.length === 0 ? ' []' : ''}
${devices.map((d) => `  - ${d}`).join('\n')}
local: { pagePort: 0, controlSocket: ${join(dir, 'control.sock')}, sound: false }
log: { level: info }
${extra}`);
  return path;
}

export interface Received {
  id: string;
  device: string;
  metric: string;
  t: string;
}

/** A backend-like subscriber with a persistent session: collects every delivered reading. */
export class Backend {
  readonly readings: Received[] = [];
  readonly alarmEvents: Array<Record<string, unknown>> = [];
  readonly retained = new Map<string, string>();
  private client: MqttClient | null = null;

  constructor(private readonly url: string, private readonly protocolVersion: 4 | 5) {}

  async connect(): Promise<void> {
    this.client = connect(this.url, { protocolVersion: this.protocolVersion, clientId: 'backend-it', clean: false, reconnectPeriod: 200, ...(this.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}) });
    this.client.on('message', (topic, payload) => {
      const text = payload.toString();
      if (topic.endsWith('/readings')) {
        const b = JSON.parse(text) as { readings: Received[] };
        this.readings.push(...b.readings);
      } else if (topic.endsWith('/alarms/events')) {
        this.alarmEvents.push(JSON.parse(text) as Record<string, unknown>);
      } else {
        this.retained.set(topic, text);
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.client?.once('connect', () => resolve());
      this.client?.once('error', reject);
    });
    await this.client.subscribeAsync('carehub/#', { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every reading row durably stored in a hub database, with its send state (the rig's reader). */
export function storedReadings(dbPath: string): Array<{ uid: string; device: string; sent: boolean }> {
  return readStoredReadings(dbPath);
}

/** Assert-friendly: per device, are the first arrivals in measurement-time order? */
export function outOfOrder(readings: Received[]): string[] {
  const seen = new Set<string>();
  const last = new Map<string, string>();
  const problems: string[] = [];
  for (const r of readings) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const key = `${r.device}/${r.metric}`;
    const prev = last.get(key);
    if (prev !== undefined && r.t < prev) problems.push(`${key}: ${r.t} after ${prev}`);
    last.set(key, r.t);
  }
  return problems;
}
