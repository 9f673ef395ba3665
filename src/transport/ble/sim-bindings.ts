import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { SimSecurityState, type PairOutcome } from './sim-security.js';
import type { AdapterState, BondState, SimCharacteristic, SimLink, SimPeripheral } from './types.js';

/**
 * Simulated noble bindings: the object noble's `Noble` class drives (start, startScanning,
 * connect, discoverServices, read, write, notify, ...) and whose events it listens to
 * (stateChange, discover, connect, disconnect, servicesDiscover, characteristicsDiscover, read,
 * write, notify). It hosts SimPeripherals, so noble's own code runs unchanged in tests, in the
 * demo and for `simulate:` devices.
 *
 * Event delivery is asynchronous (queueMicrotask), as with a real controller. Radio behaviour
 * follows the peripheral's `inRange()`: out of range there are no adverts, a connection
 * attempt stays pending (like an HCI LE Create Connection) until the device comes back or the
 * central cancels, and an open link is dropped with reason 0x08 (supervision timeout) at the
 * next radio tick.
 */
export interface SimulatedBindingsOptions {
  /** Timers for adverts and link supervision. Without one, a radio tick runs only on demand (`tick()`). */
  clock?: Clock;
  /** Radio tick: advert interval and link-supervision check (default 250 ms). */
  tickMs?: number;
}

interface Conn {
  p: SimPeripheral;
  subscribed: Set<string>;
}

const key = (s: string, c: string): string => `${norm(s)}/${norm(c)}`;

/** noble-style UUID: lowercase, no dashes. */
export function norm(uuid: string): string {
  return uuid.toLowerCase().replace(/-/g, '');
}

export class SimulatedBindings extends EventEmitter {
  private readonly peripherals = new Map<string, SimPeripheral>();
  private readonly security = new Map<string, SimSecurityState>();
  private readonly conns = new Map<string, Conn>();
  private readonly pending = new Set<string>();
  private scanning = false;
  private scanFilter: string[] = [];
  private adapter: AdapterState = 'unknown';
  private started = false;
  /** When true the adapter is "stuck": no adverts, connection attempts never complete. */
  private stuck = false;
  private timer: TimerHandle | undefined;
  /** Counters for tests and health. */
  readonly stats = { connects: 0, disconnects: 0, notifications: 0, resets: 0 };

  constructor(private readonly opts: SimulatedBindingsOptions = {}) {
    super();
  }

  // ---- what the simulator side uses ----

  /** Host a peripheral. `bonded`: host and device already share a bond (paired earlier). */
  addPeripheral(p: SimPeripheral, opts: { bonded?: boolean } = {}): void {
    const id = this.addressToId(p.address);
    this.peripherals.set(id, p);
    const sec = new SimSecurityState(p.security);
    if (opts.bonded) sec.bondBothSides();
    this.security.set(id, sec);
  }

  /** Security state of a hosted peripheral (tests: forget the bond on the device, remove host keys). */
  securityOf(address: string): SimSecurityState | undefined {
    return this.security.get(this.addressToId(address));
  }

  /** Does the host hold keys for this device? */
  bonded(id: string): boolean | null {
    return this.security.get(id)?.hostKeys ?? null;
  }

  /** The host's bond state (status): keys held → bonded, else none; unknown for a device not hosted. */
  bondState(id: string): BondState {
    const s = this.security.get(id);
    return s ? (s.hostKeys ? 'bonded' : 'none') : 'unknown';
  }

  /** Pair over the open link (what noble's SMP allows: Just Works, or a passkey given here). */
  pair(address: string, passkey: string | null): PairOutcome | { ok: false; reason: 'not_connected' } {
    const id = this.addressToId(address);
    const sec = this.security.get(id);
    if (!sec || !this.conns.has(id)) return { ok: false, reason: 'not_connected' };
    return sec.pair(passkey);
  }

  removePeripheral(address: string): void {
    const id = this.addressToId(address);
    const p = this.peripherals.get(id);
    if (!p) return;
    if (this.conns.has(id)) this.drop(id, 'peripheral removed');
    this.pending.delete(id);
    this.peripherals.delete(id);
    this.security.delete(id);
  }

  /** Force an adapter state (e.g. 'poweredOff' to simulate a pulled dongle). */
  setAdapterState(s: AdapterState): void {
    if (s === this.adapter) return;
    this.adapter = s;
    if (s !== 'poweredOn') {
      for (const id of [...this.conns.keys()]) this.drop(id, 'adapter ' + s, false);
      this.pending.clear();
      this.scanning = false;
    }
    this.emitLater('stateChange', s);
  }

  /** Simulate a wedged controller: it stays "poweredOn" but hears nothing until reset. */
  setStuck(v: boolean): void {
    this.stuck = v;
  }

  /** One radio tick: adverts, pending connections, link supervision. Called by the clock timer. */
  tick(): void {
    if (this.adapter !== 'poweredOn' || this.stuck) return;
    for (const [id, c] of this.conns) if (!c.p.inRange()) this.drop(id, 'connection timeout (0x08)');
    for (const id of [...this.pending]) {
      const p = this.peripherals.get(id);
      if (p?.inRange()) this.complete(id, p);
    }
    if (this.scanning) for (const [id, p] of this.peripherals) this.advertise(id, p);
  }

  // ---- noble bindings interface ----

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.opts.clock) this.timer = this.opts.clock.setInterval(() => this.tick(), this.opts.tickMs ?? 250);
    this.timer?.unref?.();
    this.emitLater('addressChange', '00:00:5e:00:53:01');
    this.setAdapterState('poweredOn');
  }

  stop(): void {
    for (const id of [...this.conns.keys()]) this.drop(id, 'local stop', false);
    this.pending.clear();
    this.scanning = false;
    if (this.timer && this.opts.clock) this.opts.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.started = false;
  }

  /** Power-cycle the controller: drop everything, poweredOff → poweredOn, clears "stuck". */
  reset(): void {
    this.stats.resets++;
    this.stuck = false;
    this.setAdapterState('poweredOff');
    this.setAdapterState('poweredOn');
  }

  setScanParameters(): void { this.emitLater('scanParametersSet'); }

  startScanning(serviceUuids?: string[], _allowDuplicates?: boolean): void {
    this.scanning = true;
    this.scanFilter = (serviceUuids ?? []).map(norm);
    this.emitLater('scanStart', false);
    queueMicrotask(() => {
      if (!this.scanning || this.stuck || this.adapter !== 'poweredOn') return;
      for (const [id, p] of this.peripherals) this.advertise(id, p);
    });
  }

  stopScanning(): void {
    this.scanning = false;
    this.emitLater('scanStop');
  }

  addressToId(address: string): string {
    return address.replace(/:/g, '').toLowerCase();
  }

  connect(id: string): void {
    if (this.adapter !== 'poweredOn') {
      this.emitLater('connect', id, new Error(`Cannot connect while adapter state is ${this.adapter}`));
      return;
    }
    const p = this.peripherals.get(id);
    if (p && p.inRange() && !this.stuck) this.complete(id, p);
    else this.pending.add(id); // like HCI: waits until the device advertises or the attempt is cancelled
  }

  cancelConnect(id: string): void {
    this.pending.delete(id);
  }

  disconnect(id: string): void {
    if (this.conns.has(id)) this.drop(id, 'local host terminated (0x16)');
    else this.emitLater('disconnect', id, 'not connected');
  }

  updateRssi(id: string): void {
    this.emitLater('rssiUpdate', id, this.peripherals.get(id)?.rssi() ?? -127);
  }

  discoverServices(id: string, uuids?: string[]): void {
    const c = this.conns.get(id);
    const want = (uuids ?? []).map(norm);
    const found = (c?.p.services ?? []).map((s) => norm(s.uuid)).filter((u) => want.length === 0 || want.includes(u));
    this.emitLater('servicesDiscover', id, found);
  }

  discoverIncludedServices(id: string, serviceUuid: string): void {
    this.emitLater('includedServicesDiscover', id, serviceUuid, []);
  }

  discoverCharacteristics(id: string, serviceUuid: string, uuids?: string[]): void {
    const svc = this.conns.get(id)?.p.services.find((s) => norm(s.uuid) === norm(serviceUuid));
    const want = (uuids ?? []).map(norm);
    const chars = (svc?.characteristics ?? [])
      .filter((ch) => want.length === 0 || want.includes(norm(ch.uuid)))
      .map((ch) => ({ uuid: norm(ch.uuid), properties: [...ch.properties] }));
    this.emitLater('characteristicsDiscover', id, serviceUuid, chars);
  }

  discoverDescriptors(id: string, s: string, c: string): void {
    this.emitLater('descriptorsDiscover', id, s, c, ['2902']);
  }

  read(id: string, serviceUuid: string, charUuid: string): void {
    const ch = this.char(id, serviceUuid, charUuid);
    if (!ch?.onRead || !ch.properties.includes('read')) {
      this.emitLater('read', id, serviceUuid, charUuid, Buffer.alloc(0), false, new Error('ATT error 0x02 (read not permitted)'));
      return;
    }
    const refused = this.securityError(id, serviceUuid);
    if (refused) { this.emitLater('read', id, serviceUuid, charUuid, Buffer.alloc(0), false, refused); return; }
    this.emitLater('read', id, serviceUuid, charUuid, Buffer.from(ch.onRead()), false);
  }

  write(id: string, serviceUuid: string, charUuid: string, data: Buffer, withoutResponse?: boolean): void {
    const ch = this.char(id, serviceUuid, charUuid);
    let err: Error | undefined;
    if (!ch || !(ch.properties.includes('write') || ch.properties.includes('writeWithoutResponse'))) err = new Error('ATT error 0x03 (write not permitted)');
    else if ((err = this.securityError(id, serviceUuid))) { /* refused: the handler never sees the write */ } else {
      const code = ch.onWrite?.(new Uint8Array(data));
      if (typeof code === 'number' && code !== 0) err = new Error(`ATT error 0x${code.toString(16)}`);
    }
    if (withoutResponse && !err) { this.emitLater('write', id, serviceUuid, charUuid); return; }
    if (err) this.emitLater('write', id, serviceUuid, charUuid, err);
    else this.emitLater('write', id, serviceUuid, charUuid);
  }

  notify(id: string, serviceUuid: string, charUuid: string, enable: boolean): void {
    const c = this.conns.get(id);
    const ch = this.char(id, serviceUuid, charUuid);
    if (!c || !ch || !(ch.properties.includes('notify') || ch.properties.includes('indicate'))) {
      this.emitLater('notify', id, serviceUuid, charUuid, false, new Error('ATT error 0x03 (no CCCD)'));
      return;
    }
    const refused = this.securityError(id, serviceUuid);
    if (refused) { this.emitLater('notify', id, serviceUuid, charUuid, false, refused); return; }
    if (enable) c.subscribed.add(key(serviceUuid, charUuid));
    else c.subscribed.delete(key(serviceUuid, charUuid));
    this.emitLater('notify', id, serviceUuid, charUuid, enable);
    if (ch.onSubscribe) { const cb = ch.onSubscribe.bind(ch); queueMicrotask(() => queueMicrotask(() => cb(enable))); } // after the central saw the CCCD write
  }

  broadcast(id: string, s: string, c: string, b: boolean): void { this.emitLater('broadcast', id, s, c, b); }
  readValue(id: string, s: string, c: string, d: string): void { this.emitLater('valueRead', id, s, c, d, Buffer.alloc(0)); }
  writeValue(id: string, s: string, c: string, d: string): void { this.emitLater('valueWrite', id, s, c, d); }
  readHandle(id: string, h: number): void { this.emitLater('handleRead', id, h, Buffer.alloc(0), new Error('not supported')); }
  writeHandle(id: string, h: number): void { this.emitLater('handleWrite', id, h, new Error('not supported')); }

  // ---- internals ----

  /** The ATT error the device answers on an insecure link, or undefined. */
  private securityError(id: string, serviceUuid: string): Error | undefined {
    const code = this.security.get(id)?.check(serviceUuid) ?? 0;
    if (code === 0) return undefined;
    return new Error(`ATT error 0x${code.toString(16).padStart(2, '0')} (insufficient ${code === 0x05 ? 'authentication' : 'encryption'})`);
  }

  private advertise(id: string, p: SimPeripheral): void {
    if (!p.inRange() || this.conns.has(id)) return;
    const services = p.advertisedServices.map(norm);
    if (this.scanFilter.length > 0 && !services.some((u) => this.scanFilter.includes(u))) return;
    const advertisement = { localName: p.name, serviceUuids: services, serviceData: [], manufacturerData: undefined, txPowerLevel: undefined };
    this.emit('discover', id, p.address.toLowerCase(), 'public', true, advertisement, p.rssi(), true);
  }

  private complete(id: string, p: SimPeripheral): void {
    this.pending.delete(id);
    if (this.conns.has(id)) return;
    const conn: Conn = { p, subscribed: new Set() };
    this.conns.set(id, conn);
    this.security.get(id)?.onConnect();
    this.stats.connects++;
    // noble only resolves a connect for a peripheral it knows: announce it first, as HCI does.
    const advertisement = { localName: p.name, serviceUuids: p.advertisedServices.map(norm), serviceData: [] };
    this.emitLater('discover', id, p.address.toLowerCase(), 'public', true, advertisement, p.rssi(), true);
    this.emitLater('connect', id, null);
    const link: SimLink = {
      notify: (s, c, data) => {
        if (this.conns.get(id) !== conn || !conn.subscribed.has(key(s, c))) return;
        this.stats.notifications++;
        this.emitLater('read', id, norm(s), norm(c), Buffer.from(data), true);
      },
      disconnect: (reason) => { if (this.conns.get(id) === conn) this.drop(id, reason); },
    };
    queueMicrotask(() => { if (this.conns.get(id) === conn) p.attach(link); });
  }

  private drop(id: string, reason: string, emit = true): void {
    const c = this.conns.get(id);
    if (!c) return;
    this.conns.delete(id);
    this.stats.disconnects++;
    this.security.get(id)?.onDisconnect();
    c.p.detach();
    if (emit) this.emitLater('disconnect', id, reason);
  }

  private char(id: string, serviceUuid: string, charUuid: string): SimCharacteristic | undefined {
    const svc = this.conns.get(id)?.p.services.find((s) => norm(s.uuid) === norm(serviceUuid));
    return svc?.characteristics.find((ch) => norm(ch.uuid) === norm(charUuid));
  }

  private emitLater(event: string, ...args: unknown[]): void {
    queueMicrotask(() => this.emit(event, ...args));
  }
}
