import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SerialSimEndpoint } from '../../drivers/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SimLink, SimPeripheral } from '../transport/ble/types.js';

/**
 * Fault injection into the hub's built-in simulators, for `carehub rig` (the `rig.fault` control
 * method, registered only when the config has `simulate:` devices). Real devices are never
 * touched: only simulated peripherals, simulated serial endpoints and the clock the simulated
 * devices and their drivers read are wrapped here.
 *
 * - ble-link-drop: the peripheral reports out of radio range for N s; the simulated bindings
 *   drop the open link with a supervision timeout and refuse connections until it is back.
 * - serial-cable-pull: the simulator's pty is closed (the port vanishes, like a pulled USB
 *   adapter) and a fresh simulator is started on the same path after N s.
 * - garbage-bytes: random bytes sent to the driver: for BLE as notifications on every
 *   notify/indicate characteristic the driver subscribed; for serial on the line.
 * - clock-jump: steps the wall clock seen by the simulated devices and their drivers by N s.
 */
export const faultRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('ble-link-drop'), device: z.string(), seconds: z.number().positive() }),
  z.strictObject({ action: z.literal('serial-cable-pull'), device: z.string(), seconds: z.number().positive() }),
  z.strictObject({ action: z.literal('garbage-bytes'), device: z.string(), count: z.number().int().min(1).max(4096) }),
  z.strictObject({ action: z.literal('clock-jump'), seconds: z.number().finite() }),
]);
export type FaultRequest = z.infer<typeof faultRequestSchema>;

/** A serial simulator endpoint that can be written to directly (garbage on the line). */
export type InjectableEndpoint = SerialSimEndpoint & { inject?(bytes: Uint8Array): Promise<unknown> };

interface BleEntry { kind: 'ble'; p: SimPeripheral; link: SimLink | null; outUntil: number }
interface SerialEntry { kind: 'serial'; ep: InjectableEndpoint | null; restart: () => Promise<InjectableEndpoint>; timer: TimerHandle | null; stopped: boolean }

export class SimFaults {
  private readonly devices = new Map<string, BleEntry | SerialEntry>();
  private offsetMs = 0;

  constructor(private readonly clockBase: Clock, private readonly log: Logger) {}

  /** The clock the simulated devices and their drivers use: the hub clock plus the injected step. */
  readonly clock: Clock = {
    now: () => this.clockBase.now() + this.offsetMs,
    mono: () => this.clockBase.mono(),
    synced: () => this.clockBase.synced(),
    setTimeout: (fn, ms) => this.clockBase.setTimeout(fn, ms),
    setInterval: (fn, ms) => this.clockBase.setInterval(fn, ms),
    clearTimeout: (h) => this.clockBase.clearTimeout(h),
    clearInterval: (h) => this.clockBase.clearInterval(h),
  };

  /** Wraps a simulated peripheral so it can be taken out of range and fed garbage. */
  peripheral(id: string, p: SimPeripheral): SimPeripheral {
    const e: BleEntry = { kind: 'ble', p, link: null, outUntil: 0 };
    this.devices.set(id, e);
    const mono = (): number => this.clockBase.mono();
    return {
      address: p.address,
      name: p.name,
      rssi: () => p.rssi(),
      advertisedServices: p.advertisedServices,
      services: p.services,
      inRange: () => mono() >= e.outUntil && p.inRange(),
      attach: (link) => { e.link = link; p.attach(link); },
      detach: () => { e.link = null; p.detach(); },
      stop: () => p.stop(),
    };
  }

  /** Registers a simulated serial endpoint; the returned endpoint always stops the current one. */
  serial(id: string, ep: InjectableEndpoint, restart: () => Promise<InjectableEndpoint>): SerialSimEndpoint {
    const e: SerialEntry = { kind: 'serial', ep, restart, timer: null, stopped: false };
    this.devices.set(id, e);
    return {
      path: ep.path,
      stop: async () => {
        e.stopped = true;
        if (e.timer) this.clockBase.clearTimeout(e.timer);
        await e.ep?.stop();
        e.ep = null;
      },
    };
  }

  /** The `rig.fault` control method. */
  async apply(args: Record<string, unknown>): Promise<{ applied: string }> {
    const parsed = faultRequestSchema.safeParse(args);
    if (!parsed.success) throw new Error(`bad fault request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    const f = parsed.data;
    this.log.warn({ fault: f }, 'rig fault injected');
    if (f.action === 'clock-jump') {
      this.offsetMs += f.seconds * 1000;
      return { applied: `simulated devices' wall clock stepped by ${f.seconds} s` };
    }
    const e = this.devices.get(f.device);
    if (!e) throw new Error(`${f.device} is not a simulated device of this hub`);
    if (f.action === 'ble-link-drop') {
      if (e.kind !== 'ble') throw new Error(`${f.device} is not a BLE device`);
      e.outUntil = this.clockBase.mono() + f.seconds * 1000;
      return { applied: `${f.device} out of radio range for ${f.seconds} s` };
    }
    if (f.action === 'serial-cable-pull') {
      if (e.kind !== 'serial') throw new Error(`${f.device} is not a serial device`);
      if (!e.ep) throw new Error(`${f.device}: cable already out`);
      const old = e.ep;
      e.ep = null;
      await old.stop();
      e.timer = this.clockBase.setTimeout(() => { void this.replug(f.device, e); }, f.seconds * 1000);
      return { applied: `${f.device} cable out for ${f.seconds} s` };
    }
    const bytes = randomBytes(f.count);
    if (e.kind === 'serial') {
      if (!e.ep?.inject) throw new Error(`${f.device}: its simulator cannot inject bytes${e.ep ? '' : ' (cable out)'}`);
      await e.ep.inject(bytes);
      return { applied: `${f.count} garbage bytes on ${f.device}'s line` };
    }
    if (!e.link) throw new Error(`${f.device} has no open BLE link`);
    let chars = 0;
    for (const s of e.p.services) {
      for (const c of s.characteristics) {
        if (!c.properties.includes('notify') && !c.properties.includes('indicate')) continue;
        e.link.notify(s.uuid, c.uuid, bytes); // delivered only where the driver subscribed
        chars++;
      }
    }
    return { applied: `${f.count} garbage bytes as notifications on ${chars} characteristic(s) of ${f.device}` };
  }

  private async replug(id: string, e: SerialEntry): Promise<void> {
    e.timer = null;
    if (e.stopped) return;
    try {
      const ep = await e.restart();
      if (e.stopped) { await ep.stop(); return; }
      e.ep = ep;
      this.log.warn({ device: id }, 'rig: serial cable back in');
    } catch (err) {
      this.log.error({ device: id, err: (err as Error).message }, 'rig: simulator did not come back after the cable pull');
    }
  }
}
