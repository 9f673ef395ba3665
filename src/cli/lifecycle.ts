import type { Logger } from '../core/log.js';

/** After a stop was requested, the longest wait for a clean stop before the process exits anyway. */
export const STOP_DEADLINE_MS = 20_000;

/**
 * The process side of a service command, installed before anything starts:
 * - SIGTERM / SIGINT / `--duration` request a stop (a signal during start-up is kept and honoured
 *   once start-up returns); STOP_DEADLINE_MS later the process exits even if something hangs, so
 *   `--duration` and `systemctl stop` always end it.
 * - SIGHUP is logged and ignored: carehub does not reload its configuration (restart the service
 *   to apply a change). Without a handler Node would die at once, without a clean stop.
 * - A programming error escaping somewhere is logged and the service keeps running: the alarm
 *   engine and the store must not die with an unrelated listener.
 */
export class Lifecycle {
  /** Resolves with the reason once a stop is requested. */
  readonly stopped: Promise<string>;
  private resolveStop!: (why: string) => void;
  private why: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private hups = 0;
  private readonly handlers: Array<[string, (...args: never[]) => void]> = [];

  constructor(private log: Logger, durationS?: number) {
    this.stopped = new Promise((resolve) => { this.resolveStop = resolve; });
    this.on('SIGTERM', () => this.request('SIGTERM'));
    this.on('SIGINT', () => this.request('SIGINT'));
    this.on('SIGHUP', () => {
      this.hups++;
      if (this.hups === 1) this.log.warn('SIGHUP received: configuration reload is not supported; restart the service to apply changes. Continuing.');
      else this.log.debug({ count: this.hups }, 'SIGHUP ignored');
    });
    this.on('unhandledRejection', (reason: unknown) => this.log.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection'));
    this.on('uncaughtException', (err: Error) => this.log.error({ err: err.message, stack: err.stack }, 'uncaught exception'));
    if (durationS) this.timer = setTimeout(() => this.request('duration'), durationS * 1000);
  }

  /** The logger to use from now on (the configured one, once the config is known). */
  setLog(log: Logger): void {
    this.log = log;
  }

  get stopRequested(): boolean {
    return this.why !== null;
  }

  request(why: string): void {
    if (this.why !== null) return;
    this.why = why;
    this.log.info({ why }, 'stopping');
    if (this.timer) clearTimeout(this.timer);
    const deadline = setTimeout(() => {
      this.log.error({ why, resources: process.getActiveResourcesInfo() }, `no clean stop within ${STOP_DEADLINE_MS / 1000} s; exiting`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    this.resolveStop(why);
  }

  /** Removes the handlers (tests; commands that run more than one lifecycle). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const [ev, fn] of this.handlers) process.off(ev, fn as (...args: unknown[]) => void);
    this.handlers.length = 0;
  }

  private on(ev: string, fn: (...args: never[]) => void): void {
    this.handlers.push([ev, fn]);
    process.on(ev, fn as (...args: unknown[]) => void);
  }
}

/** Resolve on SIGTERM/SIGINT or after `durationS` (SIGHUP and stray errors are logged). */
export async function untilStopped(durationS: number | undefined, log: Logger): Promise<void> {
  const life = new Lifecycle(log, durationS);
  await life.stopped;
  life.dispose();
}

/**
 * After a service command has stopped everything, make sure the process really ends: a handle
 * left behind (a socket still closing, a library timer) must not keep a stopped hub alive,
 * because systemd would wait and the next start would be delayed. Logged so it can be fixed.
 */
export function exitSoon(code: number, log: Logger, graceMs = 1000): void {
  const t = setTimeout(() => {
    log.warn({ resources: process.getActiveResourcesInfo() }, 'handles still open after stop; exiting anyway');
    process.exit(code);
  }, graceMs);
  t.unref();
}
