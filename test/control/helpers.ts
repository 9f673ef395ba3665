import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitRuntime } from '../../bench/unit-runtime.js';

export function sockPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'carehub-ctl-')), 'run', 'control.sock');
}

/**
 * The real control server in a child process, with the service's V8 flags
 * (the node flags of systemd/carehub.service, read by bench/unit-runtime.ts).
 */
export async function startServerChild(path: string, idleMs = 30_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...unitRuntime().nodeFlags, '--import', 'tsx', 'test/control/fixtures/control-server-child.ts', path, String(idleMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`control server child exited ${code}`)));
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
  });
  return child;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

/** Resident set of a process in MB, from /proc (what the kernel charges to the service's cgroup). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

/** Connects and collects every line the server sends until it closes the connection. */
export function rawClient(path: string): { sock: Socket; lines: string[]; closed: Promise<void>; connected: Promise<void> } {
  const sock = createConnection(path);
  const lines: string[] = [];
  let buf = '';
  sock.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
  });
  sock.on('error', () => { /* counted by the caller through lines and close */ });
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  const connected = new Promise<void>((r, j) => { sock.once('connect', () => r()); sock.once('error', j); });
  return { sock, lines, closed, connected };
}
