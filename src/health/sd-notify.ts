import { createRequire } from 'node:module';
import type { Logger } from '../core/log.js';

/**
 * The systemd notify protocol, spoken by the service process itself (no `systemd-notify` child,
 * so the unit can use NotifyAccess=main). Node has no unix datagram sockets; the `unix-dgram`
 * native module supplies one. Each message opens a socket, sends one datagram and closes it
 * again: nothing stays open to keep the event loop alive, and a message is a few syscalls.
 *
 * Bounds: one message is at most MAX_MESSAGE_BYTES; a STATUS text is one line of at most
 * MAX_STATUS_CHARS. Outside systemd (no NOTIFY_SOCKET) nothing is sent. Abstract sockets
 * (`@name`) are not supported by unix-dgram: systemd's own /run/systemd/notify always is a path.
 */
export const MAX_STATUS_CHARS = 200;
export const MAX_MESSAGE_BYTES = 1024;

interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
interface DgramModule { createSocket(type: 'unix_dgram'): DgramSocket }

/**
 * The service manager's variables, taken out of process.env when this module loads (before the
 * hub starts anything), as sd_notify's unset_environment does: children the hub runs (timedatectl,
 * aplay, gpioset, udevadm) must not talk to systemd on the service's behalf.
 */
export const SERVICE_ENV: NodeJS.ProcessEnv = takeServiceEnv();
function takeServiceEnv(): NodeJS.ProcessEnv {
  const taken: NodeJS.ProcessEnv = {};
  for (const k of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) {
    if (process.env[k] !== undefined) taken[k] = process.env[k];
    delete process.env[k];
  }
  return taken;
}

let loaded: DgramModule | Error | undefined;
function dgram(): DgramModule | Error {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('unix-dgram') as DgramModule;
    } catch (err) {
      loaded = new Error(`unix-dgram could not be loaded (native module not built for this Node?): ${(err as Error).message}`);
    }
  }
  return loaded;
}

/** One STATUS= text: a single line, control characters removed, length capped. */
export function statusText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const line = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > MAX_STATUS_CHARS ? `${line.slice(0, MAX_STATUS_CHARS - 1)}…` : line;
}

export class SdNotify {
  private readonly path: string | null;
  private failed: string | null = null;

  constructor(private readonly log: Logger, env: NodeJS.ProcessEnv = SERVICE_ENV) {
    const p = env.NOTIFY_SOCKET;
    this.path = p ? p : null;
  }

  /** A notify socket was given (the process runs under systemd with Type=notify). */
  get enabled(): boolean {
    return this.path !== null;
  }

  /**
   * Sends `KEY=value` lines as one datagram. Resolves true when the kernel took it; a failure is
   * logged once per distinct reason (and once when sending works again), never thrown.
   */
  send(fields: ReadonlyArray<readonly [string, string]>): Promise<boolean> {
    if (!this.path) return Promise.resolve(false);
    const text = fields.map(([k, v]) => `${k}=${k === 'STATUS' ? statusText(v) : v}`).join('\n');
    const buf = Buffer.from(text, 'utf8');
    if (buf.length > MAX_MESSAGE_BYTES) return Promise.resolve(this.result(`message of ${buf.length} bytes exceeds ${MAX_MESSAGE_BYTES}`));
    if (this.path.startsWith('@')) return Promise.resolve(this.result(`abstract notify socket ${this.path} not supported`));
    const mod = dgram();
    if (mod instanceof Error) return Promise.resolve(this.result(mod.message));
    const path = this.path;
    return new Promise((resolve) => {
      let sock: DgramSocket;
      try {
        sock = mod.createSocket('unix_dgram');
      } catch (err) {
        resolve(this.result(`socket: ${(err as Error).message}`));
        return;
      }
      sock.on('error', () => { /* reported through the send callback */ });
      sock.send(buf, 0, buf.length, path, (err) => {
        sock.close();
        resolve(this.result(err ? `send to ${path}: ${err.message}` : null));
      });
    });
  }

  private result(problem: string | null): boolean {
    if (problem !== this.failed) {
      if (problem) this.log.error({ err: problem }, 'sd_notify failed: systemd does not hear from the hub');
      else this.log.info('sd_notify working again');
      this.failed = problem;
    }
    return problem === null;
  }
}
