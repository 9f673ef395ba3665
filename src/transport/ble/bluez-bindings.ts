import { createRequire } from 'node:module';
import type { MessageBus } from 'dbus-next';
import type { Logger } from '../../core/log.js';
import { bondDetail, bondState, deviceLink, openSystemBus, powerCycle, safeDisconnect } from './bluez-bus.js';
import { guardConnects } from './bluez-connect-guard.js';
import { countMatchRules } from './dbus-match-rules.js';
import type { NobleBindingsLike } from './noble-types.js';
import type { BondState } from './types.js';

const require = createRequire(import.meta.url);

/**
 * noble's D-Bus bindings for BlueZ (`@stoprocent/noble/lib/dbus/bindings.js`, loaded directly:
 * never the package main export, which opens the HCI socket), bound to one adapter, plus what
 * the hub needs beyond noble: the watchdog reset as Powered off/on through BlueZ, the bond
 * state of a device (BlueZ keeps the keys; noble does not), connection attempts that never
 * outlive the hub's connect timeout (bluez-connect-guard.ts), and signal subscriptions that are
 * given back to the bus (dbus-match-rules.ts).
 */
export function createBluezBindings(adapter: string, log: Logger): { ok: true; bindings: NobleBindingsLike } | { ok: false; error: string } {
  let Bindings: new (o: Record<string, unknown>) => NobleBindingsLike;
  try {
    Bindings = require('@stoprocent/noble/lib/dbus/bindings.js') as typeof Bindings;
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  const b = new Bindings({ adapterId: adapter });
  let admin: MessageBus | null = null;
  const bus = (): MessageBus => (admin ??= openSystemBus((e) => log.warn({ err: e.message }, 'BlueZ admin bus error')));
  resurfaceAfterPowerOn(b);
  guardConnects(b, (path) => deviceLink(bus(), path), adapter, log);
  const origStop = b.stop?.bind(b);
  const origStart = b.start.bind(b);
  Object.assign(b, {
    start(): void {
      origStart();
      // noble opens its own system bus connection in start(); a missing bus must not be an unhandled 'error'.
      const own = (b as unknown as { _bus?: MessageBus })._bus;
      own?.on('error', (e: Error) => log.warn({ err: e.message }, 'BlueZ bus error'));
      if (own) countMatchRules(own); // before noble subscribes anything (its init awaits first)
      if (own) safeDisconnect(own); // a central closed while noble's bus still connects must not crash the hub
    },
    reset(): void {
      powerCycle(bus(), adapter).catch((e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e), adapter }, 'BlueZ adapter power-cycle failed'));
    },
    bonded(id: string): Promise<boolean | null> {
      const address = id.match(/.{2}/g)?.join(':') ?? id;
      return bondState(bus(), adapter, address);
    },
    bondState(id: string): Promise<BondState> {
      const address = id.match(/.{2}/g)?.join(':') ?? id;
      return bondDetail(bus(), adapter, address);
    },
    stop(): void {
      origStop?.();
      try { admin?.disconnect(); } catch { /* already gone */ }
      admin = null;
    },
  });
  return { ok: true, bindings: b };
}

/** The parts of noble's D-Bus bindings' device cache that a `discover` event carries. */
interface CachedDevice { address: string; addressType: string; connectable: boolean; advertisement: unknown; rssi: number; scannable: boolean }

/**
 * noble forgets every peripheral when the adapter leaves poweredOn (a watchdog power-cycle, the
 * user switching Bluetooth off and on), and its D-Bus bindings surface BlueZ's cached devices
 * only at start and when a scan starts. Without this, every later connect by address to a known
 * sensor would wait for a discovery that never comes (noble drops the result for an unknown
 * peripheral), so the hub would never reconnect after a reset. Back at poweredOn, the devices
 * the bindings still hold are surfaced again as discoveries.
 */
function resurfaceAfterPowerOn(b: NobleBindingsLike): void {
  const devices = (b as unknown as { _devices?: Map<string, CachedDevice> })._devices;
  const emit = b.emit.bind(b);
  let state = '';
  b.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    const r = emit(event, ...args);
    if (event === 'stateChange') {
      const was = state;
      state = String(args[0]);
      if (state === 'poweredOn' && was !== '' && was !== 'poweredOn' && devices) {
        for (const [id, d] of devices) emit('discover', id, d.address, d.addressType, d.connectable, d.advertisement, d.rssi, d.scannable);
      }
    }
    return r;
  };
}
