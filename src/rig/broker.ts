import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Logger } from '../core/log.js';

/**
 * The rig's MQTT broker. `spawn`: mosquitto on a free loopback port when installed (persistence
 * on, so sessions and queued messages survive broker-down/up like a production broker), else
 * the embedded aedes broker (MQTT 3.1.1), whose listener is closed and reopened around one
 * in-memory aedes instance so sessions survive too. An external `url` cannot be stopped.
 */
export interface RigBroker {
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly kind: 'mosquitto' | 'aedes' | 'external';
  readonly up: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export function findMosquitto(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CAREHUB_RIG_NO_MOSQUITTO === '1') return null;
  for (const dir of ['/usr/sbin', '/usr/local/sbin', ...(env.PATH ?? '').split(delimiter)]) {
    const p = join(dir, 'mosquitto');
    if (dir && existsSync(p)) return p;
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** SIGTERM a child process and wait for it; SIGKILL after `graceMs`. No-op when it has exited. */
export async function stopProcess(p: ChildProcess, graceMs = 3000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
    p.once('exit', () => { clearTimeout(t); resolve(); });
    p.kill('SIGTERM');
  });
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`broker did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function spawnBroker(dir: string, log: Logger): Promise<RigBroker> {
  const port = await freePort();
  const mosquitto = findMosquitto();
  const b = mosquitto ? new Mosquitto(mosquitto, port, dir, log) : new EmbeddedAedes(port, log);
  await b.start();
  return b;
}

export function externalBroker(url: string, protocolVersion: 4 | 5): RigBroker {
  const fail = async (): Promise<void> => { throw new Error('the rig cannot stop or start an external broker'); };
  return { url, protocolVersion, kind: 'external', up: true, start: fail, stop: fail, close: async () => {} };
}

class Mosquitto implements RigBroker {
  readonly kind = 'mosquitto' as const;
  readonly protocolVersion = 5 as const;
  private proc: ChildProcess | null = null;
  private stderr = '';
  private readonly conf: string;

  constructor(private readonly bin: string, private readonly port: number, dir: string, private readonly log: Logger) {
    this.conf = join(dir, 'mosquitto.conf');
    writeFileSync(this.conf, [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 1000000',
      'max_queued_bytes 0',
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'log_dest stderr',
      'log_type error',
    ].join('\n') + '\n');
  }

  get url(): string { return `mqtt://127.0.0.1:${this.port}`; }
  get up(): boolean { return this.proc !== null; }

  async start(): Promise<void> {
    if (this.proc) return;
    const p = spawn(this.bin, ['-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-2000); });
    this.proc = p;
    const exited = new Promise<never>((_, reject) => p.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${this.stderr}`))));
    exited.catch(() => {});
    await Promise.race([waitForPort(this.port, 10_000), exited]);
    this.log.info({ port: this.port }, 'mosquitto up');
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    await stopProcess(p);
    this.log.info({ port: this.port }, 'mosquitto down');
  }

  close(): Promise<void> { return this.stop(); }
}

class EmbeddedAedes implements RigBroker {
  readonly kind = 'aedes' as const;
  readonly protocolVersion = 4 as const;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private aedes: { handle: (s: Socket) => void; close(cb: () => void): void } | null = null;

  constructor(private readonly port: number, private readonly log: Logger) {}

  get url(): string { return `mqtt://127.0.0.1:${this.port}`; }
  get up(): boolean { return this.server !== null; }

  async start(): Promise<void> {
    if (this.server) return;
    if (!this.aedes) {
      const { Aedes } = await import('aedes');
      this.aedes = await Aedes.createBroker();
    }
    const broker = this.aedes;
    const server = createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      broker.handle(s);
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, '127.0.0.1', () => resolve()); });
    this.server = server;
    this.log.info({ port: this.port }, 'embedded aedes broker up');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    this.log.info({ port: this.port }, 'embedded aedes broker down');
  }

  async close(): Promise<void> {
    await this.stop();
    const a = this.aedes;
    this.aedes = null;
    if (a) await new Promise<void>((r) => a.close(() => r()));
  }
}
