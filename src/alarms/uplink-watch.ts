import type { Clock, TimerHandle } from '../core/clock.js';
import type { TechnicalCondition } from './types.js';

/**
 * Raises the technical condition `uplink_down` when the uplink has not been connected for
 * `minutes` (on the monotonic clock: the clock's timers), and clears it when it connects again.
 * Short outages (a broker restart, a Wi-Fi hiccup) raise nothing: the outbox covers them.
 */
export interface UplinkWatchOptions {
  clock: Clock;
  minutes: number;
  technical(c: TechnicalCondition): void;
}

export class UplinkWatch {
  private timer: TimerHandle | undefined;
  private raised = false;
  private up: boolean | undefined;

  constructor(private readonly o: UplinkWatchOptions) {}

  /** Uplink state change: 'connected' is up; anything else ('connecting', 'disconnected') is down. */
  update(state: string): void {
    const up = state === 'connected';
    if (up === this.up) return;
    this.up = up;
    if (up) {
      this.cancel();
      if (this.raised) {
        this.raised = false;
        this.o.technical({ code: 'uplink_down', active: false, text: 'Uplink connected again' });
      }
      return;
    }
    this.cancel();
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.raised = true;
      this.o.technical({ code: 'uplink_down', active: true, text: `Uplink down for more than ${this.o.minutes} min; data is kept on the hub` });
    }, this.o.minutes * 60_000);
    this.timer.unref?.();
  }

  stop(): void {
    this.cancel();
  }

  private cancel(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
