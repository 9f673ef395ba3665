import type { Clock, TimerHandle } from '../core/clock.js';
import type { TechnicalCondition } from './types.js';

/** A connection counts as the uplink being back only once it has held this long. */
export const UPLINK_STABLE_MS = 30_000;

/**
 * Raises the technical condition `uplink_down` when the uplink has not had a stable connection
 * for `minutes` (on the monotonic clock: the clock's timers), and clears it once a connection has
 * held for UPLINK_STABLE_MS. A connection that drops again sooner (a flapping link, another hub
 * knocking this one off the broker with the same client id) neither restarts nor stops the down
 * time: the fact that counts is a connection that stays, not a state transition.
 * Short outages (a broker restart, a Wi-Fi hiccup) raise nothing: the outbox covers them.
 */
export interface UplinkWatchOptions {
  clock: Clock;
  minutes: number;
  technical(c: TechnicalCondition): void;
}

export class UplinkWatch {
  private downTimer: TimerHandle | undefined;
  private stableTimer: TimerHandle | undefined;
  private raised = false;
  private up: boolean | undefined;

  constructor(private readonly o: UplinkWatchOptions) {}

  /** Uplink state change: 'connected' is up; anything else ('connecting', 'disconnected') is down. */
  update(state: string): void {
    const up = state === 'connected';
    if (up === this.up) return;
    this.up = up;
    if (up) {
      this.stableTimer = this.o.clock.setTimeout(() => this.stable(), UPLINK_STABLE_MS);
      this.stableTimer.unref?.();
      return;
    }
    this.clear('stableTimer');
    if (this.downTimer || this.raised) return; // the down time runs on from the last stable connection
    this.downTimer = this.o.clock.setTimeout(() => {
      this.downTimer = undefined;
      this.raised = true;
      this.o.technical({ code: 'uplink_down', active: true, text: `No stable uplink connection for more than ${this.o.minutes} min; data is kept on the hub` });
    }, this.o.minutes * 60_000);
    this.downTimer.unref?.();
  }

  stop(): void {
    this.clear('downTimer');
    this.clear('stableTimer');
  }

  private stable(): void {
    this.stableTimer = undefined;
    this.clear('downTimer');
    if (this.raised) {
      this.raised = false;
      this.o.technical({ code: 'uplink_down', active: false, text: 'Uplink connected again' });
    }
  }

  private clear(which: 'downTimer' | 'stableTimer'): void {
    const t = this[which];
    if (t) this.o.clock.clearTimeout(t);
    this[which] = undefined;
  }
}
