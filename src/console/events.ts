import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../core/clock.js';
import { SECURITY_HEADERS } from './http-util.js';

/** Browsers receiving live updates at once, at most (more get 503 and retry). */
export const MAX_EVENT_CLIENTS = 8;
/** How often the snapshot is built and, when it changed, sent. */
export const EVENT_INTERVAL_MS = 1000;
/** A client whose unsent data exceeds this is too slow and is dropped (it reconnects). */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** A comment line at least this often keeps proxies and the browser from timing out. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events: one snapshot built per interval for all clients (not per client), sent
 * only when it changed. Work per second is bounded by MAX_EVENT_CLIENTS, whatever the browsers do.
 */
export class EventFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: TimerHandle | null = null;
  private last = '';
  private lastSent = 0;

  constructor(private readonly clock: Clock, private readonly snapshot: () => unknown) {}

  /** Takes the response as an event stream; false when full (the caller answers 503). */
  add(res: ServerResponse): boolean {
    if (this.clients.size >= MAX_EVENT_CLIENTS) return false;
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 2000\n\n`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    res.write(`data: ${this.current()}\n\n`);
    if (!this.timer) this.timer = this.clock.setInterval(() => this.tick(), EVENT_INTERVAL_MS);
    return true;
  }

  /** Sends a fresh snapshot now (after an action, so the page shows its effect at once). */
  push(): void {
    if (this.clients.size > 0) this.tick();
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    if (this.timer) this.clock.clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private current(): string {
    this.last = JSON.stringify(this.snapshot());
    return this.last;
  }

  private tick(): void {
    if (this.clients.size === 0) {
      if (this.timer) this.clock.clearInterval(this.timer);
      this.timer = null;
      return;
    }
    const before = this.last;
    const now = this.clock.mono();
    const data = this.current();
    let msg: string | null = null;
    if (data !== before) msg = `data: ${data}\n\n`;
    else if (now - this.lastSent >= HEARTBEAT_MS) msg = `: keep-alive\n\n`;
    if (!msg) return;
    this.lastSent = now;
    for (const c of this.clients) {
      if (c.writableLength > MAX_BUFFERED_BYTES) { c.destroy(); this.clients.delete(c); continue; }
      c.write(msg);
    }
  }
}
