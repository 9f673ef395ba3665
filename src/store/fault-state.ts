import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { TechnicalCondition } from '../alarms/types.js';
import { StorageFaults, type StorageFaultKind, type StorageFaultStats } from './faults.js';
import { HELD_ALARM_EVENTS_MAX, HeldAlarmEvents, HeldReadings } from './held.js';
import type { FileWatch } from './identity.js';

/** Storage health, for status and tests. */
export interface StorageHealth extends StorageFaultStats {
  /** 'memory': the file could not be opened; nothing is kept across a restart. */
  mode: 'file' | 'memory';
  heldAlarmEvents: number;
  heldReadings: number;
  droppedAlarmEvents: number;
  droppedReadings: [number, number, number];
  /** The database file was deleted or replaced while running (storage_replaced raised). */
  replaced: boolean;
}

export interface FaultStateOptions {
  mode: 'file' | 'memory';
  log: Logger;
  clock: Clock;
  onTechnical(c: TechnicalCondition): void;
  watch: FileWatch | null;
  retryMs: number;
  /** The store's retry: write what is held, or probe. */
  retry(): void;
}

/**
 * What the store knows about a storage fault in progress: the conditions (faults.ts), what is
 * held in memory (held.ts), the file's identity (identity.ts) and the retry timer on the hub clock.
 * The store does the writing; this keeps the bookkeeping out of it.
 */
export class FaultState {
  readonly faults: StorageFaults;
  readonly alarms = new HeldAlarmEvents();
  readonly readings = new HeldReadings();
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(private readonly o: FaultStateOptions) {
    this.faults = new StorageFaults({ log: o.log, clock: o.clock, onTechnical: o.onTechnical });
  }

  get watch(): FileWatch | null { return this.o.watch; }

  /** Nothing held and no write fault: the fast path of every successful write. */
  get clear(): boolean {
    return !this.faults.faulted && this.alarms.size === 0 && this.readings.size === 0;
  }

  get nothingHeld(): boolean { return this.alarms.size === 0 && this.readings.size === 0; }

  /** A write failed for a storage reason: report (once per transition), check the file, start retrying. */
  failed(kind: StorageFaultKind, err: Error, what: string): void {
    this.faults.failed(kind, err, what, () => this.counts());
    this.o.watch?.check();
    if (this.timer === null && !this.closed) {
      this.timer = this.o.clock.setInterval(() => this.o.retry(), this.o.retryMs);
      this.timer.unref?.();
    }
  }

  /** Holds an event of a failed write; raises storage_error when the bound drops it. */
  holdAlarm(e: Parameters<HeldAlarmEvents['push']>[0]): boolean {
    const held = this.alarms.push(e);
    if (!held) this.eventsLost();
    return held;
  }

  eventsLost(): void {
    this.faults.setCause('events_lost', `Storage unavailable for too long: more than ${HELD_ALARM_EVENTS_MAX} alarm events waited to be saved, later ones are lost (${this.alarms.dropped} so far). Local alarms keep working.`);
  }

  /** Everything held was written: end the fault, stop retrying. */
  recovered(): void {
    this.faults.succeeded({ ...this.counts(), droppedReadings: this.readings.dropped.reduce((a, b) => a + b, 0) });
    this.faults.clearCause('events_lost', 'Storage writable again');
    this.stopTimer();
  }

  counts(): Record<string, number> {
    return { heldAlarmEvents: this.alarms.size, heldReadings: this.readings.size, droppedAlarmEvents: this.alarms.dropped };
  }

  health(): StorageHealth {
    return {
      ...this.faults.stats(),
      mode: this.o.mode,
      heldAlarmEvents: this.alarms.size,
      heldReadings: this.readings.size,
      droppedAlarmEvents: this.alarms.dropped,
      droppedReadings: [...this.readings.dropped],
      replaced: this.o.watch?.replaced ?? false,
    };
  }

  /** At close: what is still held is lost; say so. */
  close(): void {
    if (!this.nothingHeld) this.o.log.error(this.counts(), 'store closed with data held in memory that could not be written: it is lost');
    this.closed = true;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) { this.o.clock.clearInterval(this.timer); this.timer = null; }
  }
}
