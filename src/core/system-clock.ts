import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Clock, TimerHandle } from './clock.js';

/**
 * The real clock. Synchronisation is read from systemd-timesyncd's marker file when it exists,
 * else from `timedatectl show -p NTPSynchronized`, refreshed every 60 s in the background (never
 * on the hot path). Until the first answer the clock counts as unsynchronised.
 */
export class SystemClock implements Clock {
  private isSynced = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly override?: boolean) {
    if (override !== undefined) this.isSynced = override;
  }

  start(): void {
    if (this.override !== undefined || this.timer) return;
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  now(): number { return Date.now(); }
  mono(): number { return performance.now(); }
  synced(): boolean { return this.isSynced; }
  setTimeout(fn: () => void, ms: number): TimerHandle { return setTimeout(fn, ms); }
  setInterval(fn: () => void, ms: number): TimerHandle { return setInterval(fn, ms); }
  clearTimeout(h: TimerHandle): void { clearTimeout(h as NodeJS.Timeout); }
  clearInterval(h: TimerHandle): void { clearInterval(h as NodeJS.Timeout); }

  private refresh(): void {
    if (existsSync('/run/systemd/timesync/synchronized')) { this.isSynced = true; return; }
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 2000 }, (err, out) => {
      if (err) return; // no systemd (containers, CI): keep the last known state
      this.isSynced = out.trim() === 'yes';
    });
  }
}
