import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest } from '../control/client.js';
import type { Logger } from '../core/log.js';
import { packageRoot } from '../core/package-root.js';

/** bin/carehub.js of this installation (source tree or dist build). */
export function carehubBin(): string {
  return join(packageRoot(), 'bin', 'carehub.js');
}

/**
 * `carehub run --config FILE` as a child process, as systemd runs it: hub-kill is a real SIGKILL,
 * a restart reopens the same database. Its stdout and stderr are appended to `logFile`.
 */
export class HubChild {
  private proc: ChildProcess | null = null;
  private exit: Promise<void> = Promise.resolve();
  starts = 0;
  /** Exit codes/signals of unexpected exits (the rig did not stop it). */
  readonly crashes: string[] = [];

  constructor(private readonly configPath: string, private readonly logFile: string, private readonly log: Logger) {}

  get running(): boolean {
    return this.proc !== null;
  }

  start(): void {
    if (this.proc) return;
    const fd = openSync(this.logFile, 'a');
    // run the same code as this process: the TypeScript sources when we run from them
    const fromSource = import.meta.url.endsWith('.ts');
    const p = spawn(process.execPath, [carehubBin(), 'run', '--config', this.configPath], {
      env: { ...process.env, ...(fromSource ? { CAREHUB_FROM_SOURCE: '1' } : {}) },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.proc = p;
    this.starts++;
    this.exit = new Promise((resolve) => p.once('exit', (code, signal) => {
      if (this.proc === p) {
        this.proc = null;
        this.crashes.push(`exit ${code ?? signal ?? '?'}`);
        this.log.warn({ code, signal }, 'hub exited by itself');
      }
      resolve();
    }));
    this.log.info({ pid: p.pid }, 'hub started');
  }

  /** A `rig.fault` request over the hub's control socket; waits up to `waitMs` for a (re)starting hub. */
  async fault(socket: string, args: Record<string, unknown>, waitMs = 10_000): Promise<unknown> {
    if (!this.proc) throw new Error('the hub is not running');
    const end = Date.now() + waitMs;
    for (;;) {
      try {
        return await controlRequest(socket, 'rig.fault', args);
      } catch (err) {
        // the socket appears a moment after start; anything else is the hub's answer
        if (!/not running|closed the control connection/.test((err as Error).message) || Date.now() > end || !this.proc) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** SIGKILL (hub-kill) or SIGTERM (a clean stop; SIGKILL after `graceMs`). */
  async stop(signal: 'SIGKILL' | 'SIGTERM', graceMs = 15_000): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    const done = this.exit;
    const t = signal === 'SIGTERM' ? setTimeout(() => p.kill('SIGKILL'), graceMs) : null;
    p.kill(signal);
    await done;
    if (t) clearTimeout(t);
    this.log.info({ signal, code: p.exitCode, by: p.signalCode }, 'hub stopped');
  }
}
