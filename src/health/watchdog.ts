import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { SdNotify, SERVICE_ENV } from './sd-notify.js';

/** A liveness check: null when healthy, else why not. */
export type HealthCheck = () => string | null;

/**
 * systemd integration (unit: Type=notify, NotifyAccess=main, WatchdogSec=...). READY=1 once the
 * hub has started; WATCHDOG=1 every half watchdog period, but only while every check passes
 * (the alarm engine has evaluated recently, the store answers). A hung alarm loop therefore
 * makes systemd restart the service. Each beat also sends STATUS= (devices, alarms, backlog; or
 * what is unhealthy), and stop() sends STOPPING=1. Outside systemd (no NOTIFY_SOCKET) nothing is
 * sent. Everything goes from this process over the notify socket (sd-notify.ts): no child process.
 */
export class Watchdog {
  private timer: TimerHandle | undefined;
  private failing: string | null = null;
  private readonly notifier: SdNotify;

  constructor(private readonly o: { clock: Clock; log: Logger; checks: HealthCheck[]; env?: NodeJS.ProcessEnv; status?: () => string }) {
    this.notifier = new SdNotify(o.log, o.env ?? SERVICE_ENV);
  }

  get enabled(): boolean {
    return this.notifier.enabled;
  }

  /** READY=1 (with the first STATUS) and the periodic beat when systemd asked for a watchdog. */
  ready(): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(false);
    const usec = Number((this.o.env ?? SERVICE_ENV).WATCHDOG_USEC ?? 0);
    if (usec > 0) this.timer = this.o.clock.setInterval(() => this.beat(), Math.max(1000, usec / 2000));
    return this.notifier.send([['READY', '1'], ['STATUS', this.statusNow()]]);
  }

  /** One watchdog period: ping only when healthy; log transitions once. */
  beat(): boolean {
    const now = this.problems();
    if (now !== this.failing) {
      if (now) this.o.log.error({ problems: now }, 'watchdog: unhealthy, not pinging systemd');
      else if (this.failing) this.o.log.info('watchdog: healthy again');
      this.failing = now;
    }
    if (this.enabled) {
      void this.notifier.send(now ? [['STATUS', `UNHEALTHY: ${now}`]] : [['WATCHDOG', '1'], ['STATUS', this.statusNow()]]);
    }
    return !now;
  }

  stop(): Promise<boolean> {
    if (this.timer) this.o.clock.clearInterval(this.timer);
    this.timer = undefined;
    if (!this.enabled) return Promise.resolve(false);
    return this.notifier.send([['STOPPING', '1'], ['STATUS', 'stopping']]);
  }

  private problems(): string | null {
    const problems = this.o.checks.map((c) => c()).filter((p): p is string => p !== null);
    return problems.length ? problems.join('; ') : null;
  }

  private statusNow(): string {
    if (!this.o.status) return 'running';
    try {
      return this.o.status();
    } catch (err) {
      return `status unavailable: ${(err as Error).message}`;
    }
  }
}
