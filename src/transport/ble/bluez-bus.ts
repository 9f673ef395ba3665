import dbus from 'dbus-next';
import type { MessageBus, ProxyObject } from 'dbus-next';
import type { BondState } from './types.js';

/**
 * Small typed helpers over BlueZ's D-Bus API (org.bluez on the system bus) for what noble's
 * D-Bus bindings do not do: adapter power-cycle, bond state, pairing, trust, bond removal.
 * The bus address comes from DBUS_SYSTEM_BUS_ADDRESS when set (tests run a private bus).
 */
export const BLUEZ = 'org.bluez';
const PROPS = 'org.freedesktop.DBus.Properties';
const ADAPTER = 'org.bluez.Adapter1';
export const DEVICE = 'org.bluez.Device1';

/** Every D-Bus call made here has this bound (BlueZ's own pairing timeout is longer: see pair). */
export const BLUEZ_CALL_TIMEOUT_MS = 10_000;

export function adapterPath(adapter: string): string {
  return `/org/bluez/${adapter}`;
}

export function devicePath(adapter: string, address: string): string {
  return `${adapterPath(adapter)}/dev_${address.toUpperCase().replace(/:/g, '_')}`;
}

/** Call a D-Bus method on a proxy's interface (the library's member index is untyped). */
export async function call(obj: ProxyObject, iface: string, method: string, ...args: unknown[]): Promise<unknown> {
  const i = obj.getInterface(iface) as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>;
  const fn = i[method];
  if (typeof fn !== 'function') throw new Error(`${iface}.${method} not available on ${obj.path}`);
  return fn.apply(i, args);
}

/**
 * A system bus connection whose connection errors are reported, never thrown as an unhandled
 * 'error' event, and whose `disconnect()` is safe at any time (see safeDisconnect).
 */
export function openSystemBus(onError: (e: Error) => void = () => undefined): MessageBus {
  const bus = dbus.systemBus();
  bus.on('error', onError);
  safeDisconnect(bus);
  return bus;
}

/**
 * Make `bus.disconnect()` safe before the connection is up. With dbus-next's optional native
 * socket (usocket, built wherever npm can compile it) the socket connects on a worker thread,
 * and ending it before that finished dereferences an uninitialised poll handle: the whole
 * process dies with SIGSEGV (a timed-out BlueZ probe, a central closed while its admin bus was
 * still connecting). A disconnect asked for early is carried out once the bus is connected, or
 * dropped if the connection fails (nothing left to end).
 */
export function safeDisconnect(bus: MessageBus): void {
  const b = bus as MessageBus & { name: string | null };
  const end = bus.disconnect.bind(bus);
  let state: 'connecting' | 'up' | 'failed' = b.name ? 'up' : 'connecting';
  let wanted = false;
  bus.once('connect', () => { state = 'up'; if (wanted) end(); });
  bus.once('error', () => { if (state === 'connecting') state = 'failed'; });
  bus.disconnect = (): void => {
    if (state === 'up') end();
    else if (state === 'connecting') wanted = true;
  };
}

/** Reject after `ms`; the D-Bus library itself has no per-call timeout. */
export function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** Is a BlueZ daemon (org.bluez) on the system bus? False on any failure (no bus, no permission, timeout). */
export async function bluezPresent(timeoutMs = 2000): Promise<{ present: boolean; why: string }> {
  let bus: MessageBus | undefined;
  try {
    bus = openSystemBus();
    const b = bus;
    const probe = (async () => {
      const obj = await b.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
      const has = await call(obj, 'org.freedesktop.DBus', 'NameHasOwner', BLUEZ);
      return has === true;
    })();
    const present = await bounded(probe, timeoutMs, 'system bus');
    return { present, why: present ? 'org.bluez is on the system bus' : 'org.bluez is not on the system bus (bluetoothd not running)' };
  } catch (e) {
    return { present: false, why: `no system bus: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    try { bus?.disconnect(); } catch { /* already gone */ }
  }
}

/** Read one property of a BlueZ object; undefined when the object or property is missing. */
export async function getProp(bus: MessageBus, path: string, iface: string, name: string): Promise<unknown> {
  try {
    const obj = await bounded(bus.getProxyObject(BLUEZ, path), BLUEZ_CALL_TIMEOUT_MS, `introspect ${path}`);
    const v = await bounded(call(obj, PROPS, 'Get', iface, name), BLUEZ_CALL_TIMEOUT_MS, `get ${name}`);
    return v instanceof dbus.Variant ? (v.value as unknown) : v;
  } catch {
    return undefined;
  }
}

export async function setProp(bus: MessageBus, path: string, iface: string, name: string, signature: string, value: unknown): Promise<void> {
  const obj = await bounded(bus.getProxyObject(BLUEZ, path), BLUEZ_CALL_TIMEOUT_MS, `introspect ${path}`);
  await bounded(call(obj, PROPS, 'Set', iface, name, new dbus.Variant(signature, value)), BLUEZ_CALL_TIMEOUT_MS, `set ${name}`);
}

export async function proxy(bus: MessageBus, path: string): Promise<ProxyObject> {
  return bounded(bus.getProxyObject(BLUEZ, path), BLUEZ_CALL_TIMEOUT_MS, `introspect ${path}`);
}

/** A device's link as BlueZ reports it (Device1.Connected, ServicesResolved) in one GetAll; null when the device or the answer is missing. */
export async function deviceLink(bus: MessageBus, path: string): Promise<{ connected: boolean; servicesResolved: boolean } | null> {
  try {
    const obj = await proxy(bus, path);
    const all = await bounded(call(obj, PROPS, 'GetAll', DEVICE), BLUEZ_CALL_TIMEOUT_MS, `get ${path}`) as Record<string, unknown>;
    const v = (k: string): unknown => { const x = all[k]; return x instanceof dbus.Variant ? (x.value as unknown) : x; };
    return { connected: v('Connected') === true, servicesResolved: v('ServicesResolved') === true };
  } catch {
    return null;
  }
}

/** Does BlueZ hold a bond (keys) for the device? `Bonded` (BlueZ ≥ 5.70) else `Paired`; null when unknown. */
export async function bondState(bus: MessageBus, adapter: string, address: string): Promise<boolean | null> {
  const path = devicePath(adapter, address);
  const bonded = await getProp(bus, path, DEVICE, 'Bonded');
  if (typeof bonded === 'boolean') return bonded;
  const paired = await getProp(bus, path, DEVICE, 'Paired');
  return typeof paired === 'boolean' ? paired : null;
}

/**
 * The bond state BlueZ reports for a device: `Bonded` (BlueZ ≥ 5.70) tells stored keys apart
 * from a bare pairing; without it `Paired` is all there is (reported as `paired`). `unknown`
 * when the device object or both properties are missing.
 */
export async function bondDetail(bus: MessageBus, adapter: string, address: string): Promise<BondState> {
  const path = devicePath(adapter, address);
  const bonded = await getProp(bus, path, DEVICE, 'Bonded');
  if (bonded === true) return 'bonded';
  const paired = await getProp(bus, path, DEVICE, 'Paired');
  if (typeof paired !== 'boolean') return typeof bonded === 'boolean' ? 'none' : 'unknown';
  return paired ? 'paired' : 'none';
}

/** Power-cycle the adapter through BlueZ (the stuck-adapter watchdog in bluez mode). */
export async function powerCycle(bus: MessageBus, adapter: string): Promise<void> {
  await setProp(bus, adapterPath(adapter), ADAPTER, 'Powered', 'b', false);
  await setProp(bus, adapterPath(adapter), ADAPTER, 'Powered', 'b', true);
}

/** The name of a D-Bus error (`org.bluez.Error.AuthenticationFailed`), or null. */
export function dbusErrorName(e: unknown): string | null {
  const t = (e as { type?: unknown } | null)?.type;
  return typeof t === 'string' ? t : null;
}
