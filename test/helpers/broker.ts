import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, stopProcess, waitForPort } from '../../src/rig/broker.js';

/**
 * A real MQTT broker for tests: mosquitto on a free loopback port (plain, or TLS with a required
 * client certificate), restartable on the same port. Without mosquitto it falls back to an
 * embedded aedes broker (MQTT 3.1.1 only, no TLS).
 */

function findMosquitto(): string | null {
  // CAREHUB_TEST_NO_MOSQUITTO=1 exercises the aedes fallback on a machine that has mosquitto
  if (process.env.CAREHUB_TEST_NO_MOSQUITTO === '1') return null;
  if (existsSync('/usr/sbin/mosquitto')) return '/usr/sbin/mosquitto';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'mosquitto');
    if (dir && existsSync(p)) return p;
  }
  return null;
}

const MOSQUITTO = findMosquitto();
export const hasMosquitto = MOSQUITTO !== null;
/** MQTT version the tests should use against this broker (aedes speaks 3.1.1 only). */
export const brokerProtocolVersion: 4 | 5 = hasMosquitto ? 5 : 4;
if (!hasMosquitto) console.warn('mosquitto not installed: broker tests run against the embedded aedes broker');

export { freePort };

export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
export function makeCerts(dir: string): TlsFiles {
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=carehub test CA', '-keyout', f('ca.key'), '-out', f('ca.crt')]);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr')]);
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.crt')]);
  writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=carehub-hub-test', '-keyout', f('client.key'), '-out', f('client.csr')]);
  run(['x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('client.ext'), '-out', f('client.crt')]);
  return { dir, ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key') };
}

export interface BrokerOptions {
  /** TLS listener with `require_certificate true` (mosquitto only). */
  tls?: boolean;
  /** Keep sessions and retained messages across restart() (mosquitto only; saved on stop). */
  persistence?: boolean;
  /** mosquitto max_inflight_messages (also its MQTT 5 receive maximum); default 1000. */
  maxInflight?: number;
  /** Extra mosquitto.conf lines. */
  extraConf?: string[];
  /** `allow_anonymous` (mosquitto only); default true. Set false with a password_file in extraConf. */
  anonymous?: boolean;
}

export interface TestBroker {
  readonly port: number;
  /** mqtt:// or mqtts:// URL of the listener. */
  readonly url: string;
  readonly tls: TlsFiles | null;
  readonly kind: 'mosquitto' | 'aedes';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stop, then start again on the same port. */
  restart(): Promise<void>;
  /** Removes the temp dir (after stop). */
  dispose(): Promise<void>;
}

class MosquittoBroker implements TestBroker {
  readonly kind = 'mosquitto' as const;
  private proc: ChildProcess | null = null;
  private stderr = '';
  readonly tls: TlsFiles | null;
  private readonly conf: string;

  constructor(readonly port: number, private readonly dir: string, opts: BrokerOptions) {
    this.tls = opts.tls ? makeCerts(dir) : null;
    const lines = [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${opts.anonymous === false ? 'false' : 'true'}`,
      ...(opts.persistence ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1'] : ['persistence false']),
      `max_inflight_messages ${opts.maxInflight ?? 1000}`,
      'max_queued_messages 1000000',
      'max_queued_bytes 0',
      'set_tcp_nodelay true',
      // started as root (CI containers), mosquitto would drop to user "mosquitto", which cannot read the temp dir
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ];
    if (this.tls) {
      lines.push(`cafile ${this.tls.ca}`, `certfile ${this.tls.serverCert}`, `keyfile ${this.tls.serverKey}`, 'require_certificate true');
    }
    lines.push(...(opts.extraConf ?? []));
    this.conf = join(dir, 'mosquitto.conf');
    writeFileSync(this.conf, lines.join('\n') + '\n');
  }

  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    this.stderr = '';
    const p = spawn(MOSQUITTO ?? 'mosquitto', ['-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    this.proc = p;
    const exited = new Promise<never>((_, reject) => p.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${this.stderr}`))));
    await Promise.race([waitForPort(this.port, 10_000), exited]);
    exited.catch(() => {});
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    await stopProcess(p);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class AedesBroker implements TestBroker {
  readonly kind = 'aedes' as const;
  readonly tls = null;
  private server: Server | null = null;
  private close: (() => Promise<void>) | null = null;

  constructor(readonly port: number, private readonly dir: string) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { Aedes } = await import('aedes');
    const aedes = await Aedes.createBroker();
    const server = createServer((s) => aedes.handle(s));
    const sockets = new Set<import('node:net').Socket>();
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, '127.0.0.1', () => resolve()); });
    this.server = server;
    this.close = async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    };
  }

  async stop(): Promise<void> {
    const c = this.close;
    this.server = null;
    this.close = null;
    if (c) await c();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Creates (not started) a broker on a free port. */
export async function createBroker(opts: BrokerOptions = {}): Promise<TestBroker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'carehub-broker-'));
  if (MOSQUITTO) return new MosquittoBroker(port, dir, opts);
  if (opts.tls) throw new Error('TLS broker needs mosquitto');
  return new AedesBroker(port, dir);
}

/** Creates and starts a broker. */
export async function startBroker(opts: BrokerOptions = {}): Promise<TestBroker> {
  const b = await createBroker(opts);
  await b.start();
  return b;
}
