import type { Logger } from '../../core/log.js';
import type { NobleBindingsLike } from './noble-types.js';

/** What BlueZ says about a device's link right now (Device1.Connected / ServicesResolved); null when unknown. */
export type LinkProbe = (devicePath: string) => Promise<{ connected: boolean; servicesResolved: boolean } | null>;

const DEVICE = 'org.bluez.Device1';

/** The parts of noble's D-Bus bindings (`@stoprocent/noble/lib/dbus/bindings.js`) the guard wraps. */
interface DbusBindingsInternals {
  connect(id: string, parameters?: unknown): void;
  cancelConnect(id: string, parameters?: unknown): void;
  disconnect(id: string): void;
  emit(event: string | symbol, ...args: unknown[]): boolean;
  _devices?: Map<string, { path?: string | null }>;
  _objects?: Map<string, Record<string, Record<string, unknown> | undefined>>;
}

/**
 * An attempt the hub gave up on this many times and still unanswered is left behind: the next
 * connect starts afresh. Only lost signals leave one hanging (BlueZ ends every Connect, and a
 * Disconnect of a live link always announces Connected=false); joining it forever would stall.
 */
export const MAX_CANCELS_JOINED = 2;

interface Attempt {
  /** The caller still waits for it (false once it cancelled: its timeout fired). */
  wanted: boolean;
  /** How often a caller gave up on it. */
  cancels: number;
  /** Handed to noble's bindings (false while BlueZ's link state is being read first). */
  started: boolean;
  /** A 'disconnect' for the device arrived while the attempt was under way. */
  dropped: boolean;
}

/**
 * Connection attempts through noble's D-Bus bindings that never outlive their caller and never
 * leave noble believing in a link nobody owns. Without this the bindings have three races, the
 * first seen over the mock BlueZ (issue 11: the CGM never reconnected after a long outage):
 *
 *  1. A connect the caller gave up on (its timeout fired, `cancelConnect`) that BlueZ completes
 *     afterwards is still reported as connected: noble's peripheral turns 'connected' behind the
 *     caller's back, nobody owns the link, and every later connect is refused ("Peripheral already
 *     connected") until the sensor drops the link by itself — one that stays in range never does.
 *     Here the late link is disconnected at BlueZ and never reported.
 *  2. The link comes up and drops again in one socket read: the bindings emit 'disconnect' before
 *     'connect', and noble again believes a dead link is up. Here that connect becomes a failure.
 *  3. A device BlueZ already holds connected (its own auto-connect of a bonded sensor, an earlier
 *     attempt): Device1.Connect returns at once and no property changes, while the bindings wait
 *     for one because their cache says disconnected; every attempt runs into the caller's timeout.
 *     Here the cache is refreshed from BlueZ before each attempt, so the bindings see the link.
 *
 * One attempt per device at a time: a connect asked for while one is under way joins it (up to
 * MAX_CANCELS_JOINED times).
 */
export function guardConnects(bindings: NobleBindingsLike, probe: LinkProbe, adapter: string, log: Logger): void {
  const b = bindings as unknown as DbusBindingsInternals;
  const attempts = new Map<string, Attempt>();
  const connect = b.connect.bind(b);
  const cancel = b.cancelConnect.bind(b);
  const disconnect = b.disconnect.bind(b);
  const emit = b.emit.bind(b);

  b.connect = (raw: string, parameters?: unknown): void => {
    const id = normId(raw);
    const under = attempts.get(id);
    if (under && under.cancels < MAX_CANCELS_JOINED) { under.wanted = true; return; }
    if (under) log.warn({ device: id, cancels: under.cancels }, 'BlueZ connection attempt still unanswered: starting afresh');
    const a: Attempt = { wanted: true, cancels: 0, started: false, dropped: false };
    attempts.set(id, a);
    void refresh(id).catch(() => undefined).then(() => {
      if (attempts.get(id) !== a) return; // left behind meanwhile
      if (!a.wanted) { attempts.delete(id); return; } // given up before it began: nothing to undo
      a.started = true;
      connect(id, parameters);
    });
  };

  b.cancelConnect = (raw: string, parameters?: unknown): void => {
    const id = normId(raw);
    const a = attempts.get(id);
    if (a) { a.wanted = false; a.cancels++; }
    if (!a || a.started) cancel(id, parameters);
  };

  b.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    const id = typeof args[0] === 'string' ? args[0] : '';
    const a = attempts.get(id);
    if (event === 'disconnect' && a) a.dropped = true;
    if (event === 'connect' && a?.started) {
      attempts.delete(id);
      const failed = args[1] != null;
      if (!a.wanted) {
        if (!failed) {
          log.info({ device: id }, 'BlueZ connected a device after the hub gave up on it: disconnecting');
          disconnect(id);
        }
        return true; // the caller already had its failure
      }
      if (!failed && a.dropped) return emit('connect', id, new Error('link lost while connecting'));
    }
    return emit(event, ...args);
  };

  /** Bring the bindings' cached Connected/ServicesResolved of the device up to date (race 3). */
  async function refresh(id: string): Promise<void> {
    const path = b._devices?.get(id)?.path ?? `/org/bluez/${adapter}/dev_${(id.match(/.{2}/g) ?? []).join('_').toUpperCase()}`;
    const cached = b._objects?.get(path);
    if (!cached) return;
    const now = await probe(path).catch(() => null);
    if (!now) return;
    cached[DEVICE] = { ...cached[DEVICE], Connected: now.connected, ServicesResolved: now.servicesResolved };
  }
}

function normId(id: string): string {
  return String(id).replace(/:/g, '').toLowerCase();
}
