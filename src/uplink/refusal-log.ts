import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';

/**
 * Refused commands in the log without one line each: the first refusal of a quiet period is
 * logged at once (warn, with its reason), later ones are counted per command name and kind and
 * logged as one summary line per window while they keep coming. Names are command lanes
 * (registered names or "(unknown)"), so the counts stay bounded.
 */
export class RefusalLog {
  private counts = new Map<string, number>();
  private timer: TimerHandle | undefined;

  constructor(private readonly log: Logger, private readonly clock: Clock, private readonly windowMs: number) {}

  note(lane: string, kind: string, detail: string): void {
    if (!this.timer) {
      this.log.warn({ command: lane, kind, reason: detail, summaryEveryS: this.windowMs / 1000 }, 'command refused; further refusals are summarised');
      this.arm();
      return;
    }
    const key = `${lane}:${kind}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      // keep the window open while refusals keep coming: one summary per window, no new first line
      if (this.flush()) this.arm();
    }, this.windowMs);
    this.timer.unref?.();
  }

  /** Logs the summary; true when there was something to log. */
  private flush(): boolean {
    if (this.counts.size === 0) return false;
    const refused = Object.fromEntries(this.counts);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    this.counts.clear();
    this.log.warn({ refused, total, windowS: this.windowMs / 1000 }, 'commands refused (summary)');
    return true;
  }
}
