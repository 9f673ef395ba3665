import type { Clock } from '../../core/clock.js';

/** Reject with `Error(what + ' timed out')` after `ms` on the injected clock; `onTimeout` runs first. */
export function withTimeout<T>(p: Promise<T>, ms: number, clock: Clock, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const h = clock.setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
    p.then(
      (v) => { clock.clearTimeout(h); resolve(v); },
      (e: unknown) => { clock.clearTimeout(h); reject(e instanceof Error ? e : new Error(String(e))); },
    );
  });
}

/** Sleep on the injected clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((r) => clock.setTimeout(r, ms));
}

/** A FIFO mutex: one holder at a time (the hub-wide "one connection attempt at a time"). */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => { release = r; });
    await prev;
    try { return await fn(); } finally { release(); }
  }
}
