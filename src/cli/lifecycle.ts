import type { Logger } from '../core/log.js';

/**
 * Resolve on SIGTERM/SIGINT or after `durationS`. A programming error escaping somewhere is
 * logged and the service keeps running: the alarm engine and the store must not die with an
 * unrelated listener (systemd restarts us only when the process really exits).
 */
export function untilStopped(durationS: number | undefined, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const done = (why: string): void => {
      log.info({ why }, 'stopping');
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const onTerm = (): void => done('SIGTERM');
    const onInt = (): void => done('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    const timer = durationS ? setTimeout(() => done('duration'), durationS * 1000) : undefined;
    process.on('unhandledRejection', (reason) => log.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection'));
    process.on('uncaughtException', (err) => log.error({ err: err.message, stack: err.stack }, 'uncaught exception'));
  });
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
