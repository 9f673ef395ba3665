import { spawn } from 'node:child_process';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';

/** A liveness check: null when healthy, else why not. */
export type HealthCheck = () => string | null;

/**
 * systemd integration (unit: Type=notify, NotifyAccess=all, WatchdogSec=...). READY=1 once the
 * hub has started; WATCHDOG=1 every half watchdog period, but only while every check passes
 * (the alarm engine has evaluated recently, the store answers). A hung alarm loop therefore
 * makes systemd restart the service. Outside systemd (no NOTIFY_SOCKET) this does nothing.
 * Notifications go through `systemd-notify`, which ships with systemd.
 */
export class Watchdog {
  private timer: TimerHandle | undefined;
  private failing: string | null = null;

  constructor(private readonly o: { clock: Clock; log: Logger; checks: HealthCheck[]; env?: NodeJS.ProcessEnv }) {}

  get enabled(): boolean {
    return Boolean((this.o.env ?? process.env).NOTIFY_SOCKET);
  }

  ready(): void {
    if (!this.enabled) return;
    this.notify('READY=1');
    const usec = Number((this.o.env ?? process.env).WATCHDOG_USEC ?? 0);
    if (usec > 0) this.timer = this.o.clock.setInterval(() => this.beat(), Math.max(1000, usec / 2000));
  }

  /** One watchdog period: ping only when healthy; log transitions once. */
  beat(): boolean {
    const problems = this.o.checks.map((c) => c()).filter((p): p is string => p !== null);
    const now = problems.length ? problems.join('; ') : null;
    if (now !== this.failing) {
      if (now) this.o.log.error({ problems: now }, 'watchdog: unhealthy, not pinging systemd');
      else if (this.failing) this.o.log.info('watchdog: healthy again');
      this.failing = now;
    }
    if (!now && this.enabled) this.notify('WATCHDOG=1');
    return !now;
  }

  stop(): void {
    if (this.timer) this.o.clock.clearInterval(this.timer);
    if (this.enabled) this.notify('STOPPING=1');
  }

  private notify(msg: string): void {
    try {
      const p = spawn('systemd-notify', [`--pid=${process.pid}`, msg], { stdio: 'ignore' });
      p.on('error', (err) => this.o.log.warn({ err: err.message }, 'systemd-notify failed'));
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'systemd-notify failed');
    }
  }
}
