/**
 * Clocks. Wall time is for timestamps only; every duration, timeout and alarm delay runs on
 * the monotonic clock, so a wall clock that steps (a Pi booting without RTC, then NTP) never
 * shortens or lengthens a timer. Whether the wall clock is synchronised is part of each reading.
 */
export interface Clock {
  /** Wall clock, ms since the epoch. */
  now(): number;
  /** Monotonic clock, ms from an arbitrary origin. Never goes backwards. */
  mono(): number;
  /** True when the system clock is known to be synchronised (NTP/PTP/GPS). */
  synced(): boolean;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearTimeout(h: TimerHandle): void;
  clearInterval(h: TimerHandle): void;
}

export interface TimerHandle {
  unref?(): unknown;
}

/** Test clock: time moves only when the test says so. */
export class FakeClock implements Clock {
  private wall: number;
  private monoMs = 0;
  private isSynced: boolean;
  private timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  private nextId = 1;

  constructor(start = Date.UTC(2026, 10, 23, 10, 0, 0), synced = true) {
    this.wall = start;
    this.isSynced = synced;
  }

  now(): number { return this.wall; }
  mono(): number { return this.monoMs; }
  synced(): boolean { return this.isSynced; }
  setSynced(v: boolean): void { this.isSynced = v; }
  /** Step the wall clock only (NTP correction, wrong boot time). */
  stepWall(deltaMs: number): void { this.wall += deltaMs; }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.monoMs + Math.max(0, ms), fn });
    return { id } as unknown as TimerHandle;
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const every = Math.max(1, ms);
    this.timers.set(id, { at: this.monoMs + every, fn, every });
    return { id } as unknown as TimerHandle;
  }
  clearTimeout(h: TimerHandle): void { this.timers.delete((h as unknown as { id: number }).id); }
  clearInterval(h: TimerHandle): void { this.clearTimeout(h); }

  /** Advance both clocks, firing due timers in order. */
  advance(ms: number): void {
    const end = this.monoMs + ms;
    for (;;) {
      let dueId = -1;
      let dueAt = Infinity;
      for (const [id, t] of this.timers) if (t.at <= end && t.at < dueAt) { dueAt = t.at; dueId = id; }
      if (dueId < 0) break;
      const t = this.timers.get(dueId)!;
      this.wall += dueAt - this.monoMs;
      this.monoMs = dueAt;
      if (t.every) t.at += t.every; else this.timers.delete(dueId);
      t.fn();
    }
    this.wall += end - this.monoMs;
    this.monoMs = end;
  }
}
