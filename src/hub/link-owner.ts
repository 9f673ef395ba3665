import type { LinkFact, LinkState } from '../../drivers/types.js';
import type { AlarmInputs } from '../alarms/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { DeviceKind } from '../core/reading.js';

export interface LinkOwnerOptions {
  device: { id: string; kind: DeviceKind };
  clock: Clock;
  /** Where the link state goes (the DeviceRegistry: logged once per transition, published). */
  setLink(state: LinkState, detail?: string): void;
  alarms: Pick<AlarmInputs, 'technical'>;
}

/**
 * The one owner of a device's link state and of its `link_lost` technical condition.
 *
 * Drivers report FACTS (drivers/types.ts LinkFact); the owner alone derives the state and raises
 * or clears the condition:
 * - `answered` (the device itself answered) and every delivery of data (`submit`) are proof of
 *   life: state `connected`; an active `link_lost` is cleared. Nothing else clears it.
 * - `reaching` (opening the port, BLE connecting, port open but no answer yet): state
 *   `connecting`, or stays `lost` while `link_lost` is active: re-opening a port onto a device
 *   that still says nothing is not a recovery. With `lostAfterMs`, `link_lost` is raised when
 *   no proof of life arrives within that time of leaving `connected`; further `reaching` facts
 *   never extend that deadline (a flapping link that never delivers still alarms).
 * - `lost` (the driver's own verdict: port gone, protocol silence): `link_lost` at once.
 *
 * The first proof of life after start also clears a `link_lost` restored from before a restart
 * (the engine would otherwise hold it for its restore grace time).
 *
 * The priority comes from the technical catalogue by the device kind (ventilator: high).
 */
export class LinkOwner {
  private state: LinkState = 'connecting';
  private alarm = false;
  /** Until the first proof of life: a `link_lost` restored from before a restart may be active. */
  private restoredMayBeActive = true;
  private deadline: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly o: LinkOwnerOptions) {}

  /** Current link state as published. */
  get link(): LinkState { return this.state; }
  /** Is `link_lost` raised by this owner right now? */
  get alarmed(): boolean { return this.alarm; }

  report(f: LinkFact): void {
    if (this.closed) return;
    switch (f.fact) {
      case 'answered': this.proofOfLife(); return;
      case 'lost': this.raise(f.detail); return;
      case 'reaching': this.reaching(f.detail, f.lostAfterMs); return;
    }
  }

  /** Data from the device reached the hub (DriverContext.submit with at least one measurement). */
  delivered(): void {
    if (this.closed) return;
    this.proofOfLife();
  }

  /** The device's session is over (hub stopping): no timers, no further reports. */
  close(): void {
    this.closed = true;
    this.disarm();
  }

  private proofOfLife(): void {
    this.disarm();
    if (this.alarm || this.restoredMayBeActive) {
      this.alarm = false;
      this.restoredMayBeActive = false;
      this.o.alarms.technical({ code: 'link_lost', device: this.o.device.id, kind: this.o.device.kind, active: false, text: `${this.o.device.id}: the device answers again` });
    }
    this.setState('connected');
  }

  private reaching(detail: string | undefined, lostAfterMs: number | undefined): void {
    if (this.alarm) { this.setState('lost', detail); return; }
    this.setState('connecting', detail);
    if (lostAfterMs !== undefined && !this.deadline) {
      const s = Math.round(lostAfterMs / 1000);
      this.deadline = this.o.clock.setTimeout(() => {
        this.deadline = undefined;
        if (!this.closed && this.state !== 'connected') this.raise(`no answer for ${s} s${detail ? ` (${detail})` : ''}`);
      }, lostAfterMs);
      this.deadline.unref?.();
    }
  }

  private raise(detail: string): void {
    this.disarm();
    this.setState('lost', detail);
    if (this.alarm) return;
    this.alarm = true;
    this.restoredMayBeActive = false;
    this.o.alarms.technical({ code: 'link_lost', device: this.o.device.id, kind: this.o.device.kind, active: true, text: `${this.o.device.id}: no link to the device (${detail})` });
  }

  private disarm(): void {
    if (this.deadline) this.o.clock.clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private setState(s: LinkState, detail?: string): void {
    this.state = s;
    this.o.setLink(s, detail);
  }
}
