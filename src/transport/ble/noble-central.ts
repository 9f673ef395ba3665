import type { TechnicalCondition } from '../../alarms/types.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { createBluezBindings } from './bluez-bindings.js';
import { NobleConnection } from './noble-connection.js';
import { loadHciBindings, loadNoble } from './noble-loader.js';
import type { NobleBindingsLike, NobleCharacteristic, NobleInstance, NoblePeripheral } from './noble-types.js';
import { norm, SimulatedBindings } from './sim-bindings.js';
import { Mutex, sleep, withTimeout } from './timeout.js';
import type { AdapterState, Advert, BleCentral, BleConnection, SimPeripheral } from './types.js';

export interface NobleCentralOptions {
  /** Real adapter through BlueZ (D-Bus) or raw HCI, or simulated bindings. */
  bindings: 'hci' | 'bluez' | SimulatedBindings;
  /** Adapter name (hci0 …) for the real bindings. Default hci0. */
  adapter?: string;
  log: Logger;
  clock: Clock;
  /** Hub-wide technical conditions (`ble_adapter_unavailable`, `ble_adapter_stuck`). */
  technical?: (c: Omit<TechnicalCondition, 'device'>) => void;
  /** No discovery, connection or notification for this long while connections are wanted → reset the adapter. Default 3 min. */
  stuckAfterMs?: number;
  /** Timeout of each GATT operation (discover, read, write, subscribe). Default 10 s. */
  gattTimeoutMs?: number;
  /** Options for noble's HCI bindings (e.g. { deviceId: 0 }). */
  hciOptions?: Record<string, unknown>;
}

const UNAVAILABLE = new Set(['unsupported', 'unauthorized', 'poweredOff', 'unavailable']);

/**
 * The one BleCentral of the hub, over noble. Scans and connection attempts are serialised
 * (one at a time, hub-wide). With no usable adapter it reports 'unavailable', raises
 * `ble_adapter_unavailable`, and every scan/connect rejects at once: nothing crashes or hangs.
 * An adapter watchdog resets (power-cycles) the controller when nothing has been heard for
 * `stuckAfterMs` while connections are wanted, and escalates with `ble_adapter_stuck`.
 */
export function createNobleCentral(opts: NobleCentralOptions): BleCentral {
  return new NobleCentral(opts);
}

/** A central over simulated bindings hosting these peripherals (tests, demo, `simulate:` devices). */
export function createSimulatedCentral(
  peripherals: SimPeripheral[],
  opts: { log: Logger; clock: Clock; technical?: NobleCentralOptions['technical']; stuckAfterMs?: number; bonded?: boolean },
): { central: BleCentral; bindings: SimulatedBindings } {
  const bindings = new SimulatedBindings({ clock: opts.clock });
  // Peripherals that ask for security start bonded unless told otherwise (a hub paired earlier).
  for (const p of peripherals) bindings.addPeripheral(p, { bonded: opts.bonded ?? true });
  return { central: createNobleCentral({ ...opts, bindings }), bindings };
}

class NobleCentral implements BleCentral {
  private noble: NobleInstance | null = null;
  private bindings: NobleBindingsLike | null = null;
  private current: AdapterState = 'unknown';
  private readonly listeners = new Set<(s: AdapterState) => void>();
  private readonly mutex = new Mutex();
  private readonly log: Logger;
  private unavailableRaised = false;
  private stuckRaised = false;
  private lastActivity: number;
  private lastAttempt = -Infinity;
  private resets = 0;
  private watchdog: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly opts: NobleCentralOptions) {
    this.log = opts.log.child('ble');
    this.lastActivity = opts.clock.mono();
    this.open();
    const stuckMs = opts.stuckAfterMs ?? 180_000;
    this.watchdog = opts.clock.setInterval(() => this.checkStuck(stuckMs), Math.max(1000, Math.floor(stuckMs / 4)));
    this.watchdog.unref?.();
  }

  state(): AdapterState { return this.current; }

  async ready(timeoutMs: number): Promise<void> {
    if (this.current === 'poweredOn') return;
    if (this.current === 'unavailable') throw new Error('BLE adapter unavailable');
    await withTimeout(new Promise<void>((resolve) => {
      const off = this.onStateChange((s) => { if (s === 'poweredOn') { off(); resolve(); } });
    }), timeoutMs, this.opts.clock, 'BLE adapter power-on');
  }

  async scan(seconds: number, onAdvert: (a: Advert) => void): Promise<void> {
    const noble = this.usable();
    await this.mutex.run(async () => {
      const onDiscover = (p: NoblePeripheral): void => {
        this.activity();
        onAdvert({
          address: p.address.toUpperCase(),
          name: p.advertisement.localName ?? null,
          rssi: p.rssi,
          serviceUuids: (p.advertisement.serviceUuids ?? []).map(norm),
          manufacturerData: p.advertisement.manufacturerData ? new Uint8Array(p.advertisement.manufacturerData) : null,
        });
      };
      noble.on('discover', onDiscover);
      try {
        await withTimeout(noble.startScanningAsync([], true), 5000, this.opts.clock, 'start scanning');
        await sleep(this.opts.clock, seconds * 1000);
      } finally {
        noble.removeListener('discover', onDiscover);
        await withTimeout(noble.stopScanningAsync(), 5000, this.opts.clock, 'stop scanning').catch(() => undefined);
      }
    });
  }

  async connect(address: string, timeoutMs: number): Promise<BleConnection> {
    this.lastAttempt = this.opts.clock.mono();
    const noble = this.usable();
    const id = address.replace(/:/g, '').toLowerCase();
    return this.mutex.run(async () => {
      if (this.noble !== noble || this.current !== 'poweredOn') throw new Error(`BLE adapter ${this.current}`);
      const p = await withTimeout(noble.connectAsync(id), timeoutMs, this.opts.clock, `connect ${address}`, () => {
        try { noble.cancelConnect(id); } catch { /* already gone */ }
      });
      this.activity();
      try {
        const gattMs = this.opts.gattTimeoutMs ?? 10_000;
        const { services } = await withTimeout(p.discoverAllServicesAndCharacteristicsAsync(), gattMs, this.opts.clock, 'GATT discovery');
        const chars: NobleCharacteristic[] = [];
        const serviceOf = new Map<NobleCharacteristic, string>();
        for (const s of services) for (const c of s.characteristics ?? []) { chars.push(c); serviceOf.set(c, norm(s.uuid)); }
        if (p.state !== 'connected') throw new Error('link lost during discovery');
        const b = this.bindings;
        return new NobleConnection(p, chars, serviceOf, this.opts.clock, this.log, gattMs, () => this.activity(),
          () => b?.bonded?.(id) ?? null, () => b?.bondState?.(id) ?? 'unknown');
      } catch (e) {
        p.disconnectAsync().catch(() => undefined);
        throw e;
      }
    });
  }

  onStateChange(fn: (s: AdapterState) => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.watchdog) this.opts.clock.clearInterval(this.watchdog);
    this.teardown();
  }

  // ---- internals ----

  private usable(): NobleInstance {
    if (!this.noble || this.current === 'unavailable') throw new Error('BLE adapter unavailable');
    return this.noble;
  }

  private open(): void {
    const adapter = this.opts.adapter ?? 'hci0';
    const b = this.opts.bindings === 'hci' ? loadHciBindings({ deviceId: Number(adapter.replace(/^hci/, '')) || 0, ...this.opts.hciOptions })
      : this.opts.bindings === 'bluez' ? createBluezBindings(adapter, this.log)
        : { ok: true as const, bindings: this.opts.bindings };
    if (!b.ok) { this.unavailable(`${this.opts.bindings === 'bluez' ? 'BlueZ' : 'HCI'} bindings: ${b.error}`); return; }
    let noble: NobleInstance;
    try {
      const Noble = loadNoble();
      noble = new Noble(b.bindings);
      noble.removeAllListeners('warning');
      noble.on('warning', (m: unknown) => this.log.debug({ warning: String(m) }, 'noble warning'));
      // Reading `state` first initialises the bindings synchronously, so a throw lands in this
      // try block and not in a process.nextTick (which registering 'stateChange' first would do).
      const initial = noble.state;
      noble.on('stateChange', (s: string) => this.setState(toAdapterState(s)));
      detachSigint(b.bindings);
      this.setState(toAdapterState(noble.state || initial));
    } catch (e) {
      this.unavailable(e instanceof Error ? e.message : String(e));
      return;
    }
    this.noble = noble;
    this.bindings = b.bindings;
  }

  private teardown(): void {
    const n = this.noble;
    this.noble = null;
    this.bindings = null;
    if (!n) return;
    n.removeAllListeners();
    try { n.stop(); } catch { /* adapter gone */ }
  }

  private unavailable(why: string): void {
    this.log.warn({ why }, 'BLE adapter unavailable');
    this.setState('unavailable');
  }

  private setState(s: AdapterState): void {
    if (s === this.current) return;
    this.log.info({ from: this.current, to: s }, 'BLE adapter state');
    this.current = s;
    // poweredOn is not "activity": a reset adapter must still prove it hears devices.
    if (s === 'poweredOn') this.raiseUnavailable(false);
    else if (UNAVAILABLE.has(s)) this.raiseUnavailable(true, s);
    for (const fn of [...this.listeners]) {
      try { fn(s); } catch (e) { this.log.error({ err: String(e) }, 'state listener threw'); }
    }
  }

  private raiseUnavailable(active: boolean, state?: string): void {
    if (active === this.unavailableRaised) return;
    this.unavailableRaised = active;
    this.opts.technical?.({ code: 'ble_adapter_unavailable', active, text: active ? `BLE adapter unavailable (${state ?? 'unknown'})` : 'BLE adapter available' });
  }

  private activity(): void {
    this.lastActivity = this.opts.clock.mono();
    if (this.resets > 0 || this.stuckRaised) this.log.info({ resets: this.resets }, 'BLE adapter responsive again');
    this.resets = 0;
    if (this.stuckRaised) {
      this.stuckRaised = false;
      this.opts.technical?.({ code: 'ble_adapter_stuck', active: false, text: 'BLE adapter responding again' });
    }
  }

  private checkStuck(stuckMs: number): void {
    if (this.closed || this.current !== 'poweredOn') return;
    const now = this.opts.clock.mono();
    const wanted = this.lastAttempt > this.lastActivity && now - this.lastAttempt < stuckMs;
    if (!wanted || now - this.lastActivity < stuckMs * (this.resets + 1)) return;
    this.resets++;
    this.log.warn({ resets: this.resets, silentMs: now - this.lastActivity }, 'BLE adapter silent: resetting');
    this.resetAdapter();
    if (this.resets >= 2 && !this.stuckRaised) {
      this.stuckRaised = true;
      this.opts.technical?.({ code: 'ble_adapter_stuck', active: true, text: `BLE adapter not responding after ${this.resets - 1} reset(s)` });
    }
  }

  /** Reset via the bindings when they can; otherwise power-cycle by re-opening the HCI bindings. */
  private resetAdapter(): void {
    if (this.bindings?.reset) { this.bindings.reset(); return; }
    this.teardown();
    this.current = 'resetting';
    this.open();
  }
}

/** noble's HCI bindings exit the process on SIGINT when they are the last listener; the hub owns signals. */
function detachSigint(b: NobleBindingsLike): void {
  const h: unknown = (b as unknown as { _sigIntHandler?: unknown })._sigIntHandler;
  if (typeof h === 'function') process.removeListener('SIGINT', h as () => void);
}

function toAdapterState(s: string): AdapterState {
  switch (s) {
    case 'poweredOn': case 'poweredOff': case 'resetting': case 'unsupported': case 'unauthorized': case 'unknown': return s;
    default: return 'unknown';
  }
}
