import type { LinkState } from '../../drivers/types.js';
import type { DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { DeviceKind, Reading } from '../core/reading.js';
import type { BondState } from '../transport/ble/types.js';

/** A device entry of the retained `devices` topic (contract §3). */
export interface DeviceInfo {
  id: string;
  kind: DeviceKind;
  transport: 'ble' | 'serial';
  address: string | null;
  link: LinkState;
  lastSeen: string | null;
  battery: number | null;
}

interface Entry {
  info: DeviceInfo;
  simulated: boolean;
  rejected: Record<string, number>;
  lastByMetric: Map<string, { value: number; unit: string; t: number; flags: string[] }>;
  detail: string | null;
  /** BLE: the host's bond state as the stack last reported it; null for serial devices. */
  bond: BondState | null;
}

/**
 * Link state, last contact, battery, rejected frames and last reading per metric of every
 * device. Changes of link or battery are logged once and published (retained) by the hub.
 */
export class DeviceRegistry {
  private readonly entries = new Map<string, Entry>();
  private listeners: Array<(list: DeviceInfo[]) => void> = [];

  constructor(devices: readonly DeviceConfig[], private readonly clock: Clock, private readonly log: Logger) {
    for (const d of devices) {
      this.entries.set(d.id, {
        info: {
          id: d.id,
          kind: d.kind,
          transport: d.transport,
          address: d.simulate ? `simulated:${d.simulate}` : (d.address ?? d.path ?? null),
          link: 'connecting',
          lastSeen: null,
          battery: null,
        },
        simulated: Boolean(d.simulate),
        rejected: {},
        lastByMetric: new Map(),
        detail: null,
        bond: d.transport === 'ble' ? 'unknown' : null,
      });
    }
  }

  onChange(fn: (list: DeviceInfo[]) => void): void {
    this.listeners.push(fn);
  }

  setLink(id: string, link: LinkState, detail?: string): void {
    const e = this.entries.get(id);
    if (!e || e.info.link === link) return;
    this.log.info({ device: id, from: e.info.link, to: link, detail }, 'device link');
    e.info.link = link;
    e.detail = detail ?? null;
    if (link === 'connected') e.info.lastSeen = new Date(this.clock.now()).toISOString();
    this.changed();
  }

  setBattery(id: string, pct: number | null): void {
    const e = this.entries.get(id);
    if (!e || e.info.battery === pct) return;
    e.info.battery = pct;
    this.changed();
  }

  /** The BLE stack's bond state for a device (after each session set-up or pairing refusal); logged on change. */
  setBond(id: string, bond: BondState): void {
    const e = this.entries.get(id);
    if (!e || e.bond === null || e.bond === bond) return;
    this.log.info({ device: id, from: e.bond, to: bond }, 'device bond');
    e.bond = bond;
  }

  reject(id: string, reason: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.rejected[reason] = (e.rejected[reason] ?? 0) + 1;
  }

  seen(r: Reading): void {
    const e = this.entries.get(r.device);
    if (!e) return;
    e.info.lastSeen = new Date(r.rx).toISOString();
    e.lastByMetric.set(r.metric, { value: r.value, unit: r.unit, t: r.t, flags: r.flags });
  }

  list(): DeviceInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.info }));
  }

  rejectedCounts(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.entries].map(([id, e]) => [id, { ...e.rejected }]));
  }

  /** The `status` view: devices with their last reading per metric. */
  status(): Array<DeviceInfo & { simulated: boolean; detail: string | null; bond: BondState | null; rejected: Record<string, number>; last: Record<string, { value: number; unit: string; t: string; flags: string[] }> }> {
    return [...this.entries.values()].map((e) => ({
      ...e.info,
      simulated: e.simulated,
      detail: e.detail,
      bond: e.bond,
      rejected: { ...e.rejected },
      last: Object.fromEntries([...e.lastByMetric].map(([m, v]) => [m, { ...v, t: new Date(v.t).toISOString() }])),
    }));
  }

  private changed(): void {
    const list = this.list();
    for (const fn of this.listeners) fn(list);
  }
}
