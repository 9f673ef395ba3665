import type { Clock } from '../core/clock.js';

/** Failed logins allowed per client address in one window, and for all addresses together. */
export const LOGIN_FAILURES_PER_CLIENT = 5;
export const LOGIN_FAILURES_TOTAL = 20;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Client addresses remembered at most (the oldest is forgotten first). */
const MAX_CLIENTS = 256;

/**
 * The login rate limit: after LOGIN_FAILURES_PER_CLIENT failed attempts from one address (or
 * LOGIN_FAILURES_TOTAL from all together) within LOGIN_WINDOW_MS, further attempts are refused
 * without checking the password until the window of the oldest failure has passed. A success
 * does not erase the failures (an attacker who guesses right once gains nothing by it).
 */
export class LoginLimit {
  private readonly failures = new Map<string, number[]>();
  private all: number[] = [];

  constructor(private readonly clock: Clock) {}

  /** Milliseconds until this client may try again; 0 = may try now. */
  retryAfterMs(client: string): number {
    const now = this.clock.now();
    const mine = this.recent(this.failures.get(client) ?? [], now);
    this.all = this.recent(this.all, now);
    let wait = 0;
    if (mine.length >= LOGIN_FAILURES_PER_CLIENT) wait = Math.max(wait, mine[0]! + LOGIN_WINDOW_MS - now);
    if (this.all.length >= LOGIN_FAILURES_TOTAL) wait = Math.max(wait, this.all[0]! + LOGIN_WINDOW_MS - now);
    return wait;
  }

  failed(client: string): void {
    const now = this.clock.now();
    const mine = this.recent(this.failures.get(client) ?? [], now);
    mine.push(now);
    this.failures.delete(client);
    this.failures.set(client, mine.slice(-LOGIN_FAILURES_PER_CLIENT));
    while (this.failures.size > MAX_CLIENTS) {
      const first = this.failures.keys().next();
      if (first.done) break;
      this.failures.delete(first.value);
    }
    this.all = this.recent(this.all, now);
    this.all.push(now);
    if (this.all.length > LOGIN_FAILURES_TOTAL) this.all = this.all.slice(-LOGIN_FAILURES_TOTAL);
  }

  private recent(list: number[], now: number): number[] {
    return list.filter((t) => now - t < LOGIN_WINDOW_MS);
  }
}
