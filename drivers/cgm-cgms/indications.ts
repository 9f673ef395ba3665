import type { Clock, TimerHandle } from '../../src/core/clock.js';

interface Waiter {
  match(b: Uint8Array): boolean;
  resolve(b: Uint8Array): void;
  reject(e: Error): void;
  timer: TimerHandle;
}

/**
 * Request/response over an indicated control point (RACP, SOCP): wait for the first indication
 * matching a predicate within a timeout on the injected clock. `failAll` ends every wait (link
 * dropped, session stopped) so nothing hangs.
 */
export class Indications {
  private waiters = new Set<Waiter>();
  constructor(private readonly clock: Clock, private readonly what: string) {}

  deliver(b: Uint8Array): boolean {
    for (const w of this.waiters) {
      if (!w.match(b)) continue;
      this.waiters.delete(w);
      this.clock.clearTimeout(w.timer);
      w.resolve(b);
      return true;
    }
    return false;
  }

  wait(match: (b: Uint8Array) => boolean, timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        match, resolve, reject,
        timer: this.clock.setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`${this.what} response timed out after ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  failAll(e: Error): void {
    for (const w of this.waiters) { this.clock.clearTimeout(w.timer); w.reject(e); }
    this.waiters.clear();
  }
}
