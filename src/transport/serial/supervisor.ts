import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { openSerialLink } from './open.js';
import type { SerialLink, SerialOpener, SerialSettings } from './types.js';

export interface SupervisorOptions {
  path: string;
  settings: SerialSettings;
  clock: Clock;
  log: Logger;
  /** Injected for tests; default opens a real TTY / pty / tcp:// link. */
  open?: SerialOpener;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A link is open (first time or after an outage). */
  onOpen(link: SerialLink): void;
  /** The port is gone (could not be opened, or closed under us). Called once per outage. */
  onGone(reason: string): void;
}

/**
 * Keeps one serial link open for as long as it runs: a port that disappears (USB adapter
 * pulled, ser2net restarted, simulator stopped) is retried forever with a doubling, jittered
 * back-off, and handed out again when it returns. Nothing here throws or exits the process.
 */
export class SerialSupervisor {
  private current: SerialLink | null = null;
  private timer: TimerHandle | null = null;
  private running = false;
  private gone = false;
  private backoff: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly opener: SerialOpener;
  /** Successful opens after the first (visible in health as reconnects). */
  reconnects = 0;
  private opened = 0;

  constructor(private readonly o: SupervisorOptions) {
    this.minMs = o.minBackoffMs ?? 500;
    this.maxMs = o.maxBackoffMs ?? 10_000;
    this.backoff = this.minMs;
    this.opener = o.open ?? openSerialLink;
  }

  get link(): SerialLink | null { return this.current; }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    const l = this.current;
    this.current = null;
    if (l) await l.close();
  }

  private async attempt(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    const r = await this.opener(this.o.path, this.o.settings);
    if (!this.running) {
      if (r.ok) await r.link.close();
      return;
    }
    if (!r.ok) {
      this.markGone(r.reason);
      this.schedule();
      return;
    }
    const link = r.link;
    this.current = link;
    this.backoff = this.minMs;
    if (this.opened++ > 0) this.reconnects++;
    if (this.gone) this.o.log.info({ path: this.o.path }, 'serial port back');
    else this.o.log.debug({ path: this.o.path }, 'serial port open');
    this.gone = false;
    link.onClose((reason) => {
      if (this.current === link) this.current = null;
      if (!this.running || reason === null) return;
      this.markGone(reason);
      this.backoff = this.minMs;
      this.schedule();
    });
    this.o.onOpen(link);
  }

  private markGone(reason: string): void {
    if (this.gone) return;
    this.gone = true;
    this.o.log.warn({ path: this.o.path, reason }, 'serial port gone; retrying');
    this.o.onGone(reason);
  }

  private schedule(): void {
    if (!this.running || this.timer) return;
    const jitter = 0.8 + Math.random() * 0.4;
    const delay = Math.round(this.backoff * jitter);
    this.backoff = Math.min(this.maxMs, this.backoff * 2);
    this.timer = this.o.clock.setTimeout(() => { void this.attempt(); }, delay);
  }
}
