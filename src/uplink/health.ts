import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { HealthPayload } from './topics.js';

export interface HealthOptions {
  intervalS: number;
  clock: Clock;
  log: Logger;
  /** The hub's numbers: uptime, rss, outbox depth and oldest unsent age, disk budget, clock, rejects. */
  provider: () => Record<string, unknown>;
  /** The uplink's own counters (reconnects, batches, ...). */
  uplinkStats: () => Record<string, unknown>;
  publish: (payload: HealthPayload) => void;
}

/** Publishes the health topic every `intervalS` while started. A failing provider never stops it. */
export class HealthReporter {
  private timer: TimerHandle | null = null;
  private providerFailed = false;

  constructor(private readonly o: HealthOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.o.clock.setInterval(() => this.publishNow(), this.o.intervalS * 1000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) this.o.clock.clearInterval(this.timer);
    this.timer = null;
  }

  build(): HealthPayload {
    let hub: Record<string, unknown> = {};
    try {
      hub = this.o.provider();
      this.providerFailed = false;
    } catch (err) {
      if (!this.providerFailed) this.o.log.warn({ err: (err as Error).message }, 'health provider failed');
      this.providerFailed = true;
      hub = { providerError: (err as Error).message };
    }
    const { v: _v, t: _t, uplink: _u, ...rest } = hub;
    return { v: 1, t: new Date(this.o.clock.now()).toISOString(), ...rest, uplink: this.o.uplinkStats() };
  }

  publishNow(): void {
    this.o.publish(this.build());
  }
}

/** A default provider for hubs that have nothing better: process uptime and memory. */
export function processHealth(): Record<string, unknown> {
  const m = process.memoryUsage();
  return { uptimeS: Math.round(process.uptime()), rssMb: Math.round(m.rss / 1e5) / 10, heapMb: Math.round(m.heapUsed / 1e5) / 10 };
}
