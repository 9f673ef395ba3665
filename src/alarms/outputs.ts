import type { Logger } from '../core/log.js';
import type { Annunciator } from './annunciators/types.js';
import { sameSignals, type SignalState } from './signals.js';
import type { ActiveAlarm, AlarmEvent } from './types.js';

/**
 * Where the engine's changes go, in this order: the annunciators (the local signal, synchronous,
 * never waiting on the network or the disk), the events to the annunciators and onEvent (the hub
 * stores and sends them ahead of any backlog), the active list to onActive, and last the state to
 * persistence, deferred to after the current task. A failing output never stops the others.
 */
export interface OutputTargets {
  annunciators: Annunciator[];
  onEvent(ev: AlarmEvent): void;
  onActive(list: ActiveAlarm[]): void;
  /** Writes the state; undefined when there is no persistence. */
  save: (() => void) | undefined;
}

export class AlarmOutputs {
  private events: AlarmEvent[] = [];
  private activeDirty = false;
  private stateDirty = false;
  private lastSignals: SignalState | undefined;
  private persistScheduled = false;

  constructor(private readonly t: OutputTargets, private readonly log: Logger) {}

  event(ev: AlarmEvent): void {
    this.events.push(ev);
    this.activeDirty = this.stateDirty = true;
  }

  /** The active list changed (and with it the persisted state). */
  changed(): void {
    this.activeDirty = this.stateDirty = true;
  }

  /** Only the persisted state changed (e.g. a new reading source). */
  stateChanged(): void {
    this.stateDirty = true;
  }

  get annunciators(): readonly Annunciator[] { return this.t.annunciators; }

  commit(signals: SignalState, active: () => ActiveAlarm[]): void {
    if (!sameSignals(this.lastSignals, signals)) {
      this.lastSignals = signals;
      for (const a of this.t.annunciators) this.guard(a.name, () => a.signal(signals));
    }
    const events = this.events;
    this.events = [];
    for (const ev of events) {
      for (const a of this.t.annunciators) if (a.event) this.guard(a.name, () => a.event!(ev));
      this.guard('onEvent', () => this.t.onEvent(ev));
    }
    if (this.activeDirty) {
      this.activeDirty = false;
      const list = active();
      this.guard('onActive', () => this.t.onActive(list));
    }
    if (this.stateDirty && this.t.save && !this.persistScheduled) {
      this.persistScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the state now when it changed since the last write. */
  flush(): void {
    this.persistScheduled = false;
    if (!this.stateDirty || !this.t.save) return;
    this.stateDirty = false;
    this.guard('persistence', this.t.save);
  }

  guard(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ target: name, err: (err as Error).message }, 'alarm output failed');
    }
  }
}
