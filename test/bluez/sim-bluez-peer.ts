import dbus, { type MessageBus, type ProxyObject } from 'dbus-next';
import { SimSecurityState } from '../../src/transport/ble/sim-security.js';
import { norm } from '../../src/transport/ble/sim-bindings.js';
import type { SimLink, SimPeripheral } from '../../src/transport/ble/types.js';

/**
 * BlueZ-shaped peer for tests: python3-dbusmock's bluez5 template owns org.bluez (adapter,
 * devices, agent manager); this harness adds the GATT objects (GattService1 /
 * GattCharacteristic1) with dbusmock's AddObject and overrides Device1 Connect/Disconnect/Pair.
 * Each of those mock methods calls back into this bridge (org.carehub.SimBridge), which serves
 * them from the same SimPeripherals the simulated noble bindings host, with the same security
 * model (SimSecurityState). Notifications go out as PropertiesChanged(Value) on the
 * characteristic, as BlueZ sends them.
 */
const BRIDGE = 'org.carehub.SimBridge';
const MOCK = 'org.freedesktop.DBus.Mock';
const PROPS = 'org.freedesktop.DBus.Properties';
const DEVICE = 'org.bluez.Device1';
const GATT_SERVICE = 'org.bluez.GattService1';
const GATT_CHAR = 'org.bluez.GattCharacteristic1';
const V = dbus.Variant;

const expand = (u: string): string => {
  const n = norm(u);
  return n.length === 4 ? `0000${n}-0000-1000-8000-00805f9b34fb` : `${n.slice(0, 8)}-${n.slice(8, 12)}-${n.slice(12, 16)}-${n.slice(16, 20)}-${n.slice(20)}`;
};

/** Python run inside the mock: forward the call to the bridge (blocking; the bridge never calls back synchronously). */
const forward = (op: string, ret: boolean, extra = "b''"): string =>
  `${ret ? 'ret = ' : ''}dbus.SystemBus().get_object('${BRIDGE}', '/bridge').Call(self.path, '${op}', dbus.ByteArray(${extra}), dbus_interface='${BRIDGE}', timeout=30)`;

interface Hosted {
  p: SimPeripheral;
  path: string;
  sec: SimSecurityState;
  connected: boolean;
  /** Connections accepted so far. */
  connects: number;
  chars: Map<string, { service: string; uuid: string }>;
  /** Service object paths (removed with the device at stop). */
  servicePaths: string[];
  notifying: Set<string>;
  /** The next Connect waits for this gate (holdConnect). */
  hold?: { reached: boolean; gate: Promise<void> };
  /** The next Connect is answered with no property signal (loseNextConnectSignals). */
  lost?: boolean;
}

type Call = (path: string, op: string, data: Buffer) => Buffer | Promise<Buffer>;

export class SimBluezPeer {
  private readonly hosted = new Map<string, Hosted>();
  private root!: ProxyObject;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly proxies = new Map<string, Promise<ProxyObject>>();
  /**
   * Everything the peer sends to the mock after a call (property changes, notifications) goes
   * through this one chain: in order, as one radio link would deliver it; `drain()` waits for it.
   */
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** The adapter's Powered, as the mock reports it. */
  private powered = true;

  private constructor(private readonly bus: MessageBus, readonly adapter: string) {}

  static async start(address: string, peripherals: { p: SimPeripheral; bonded?: boolean }[], adapter = 'hci0', addAdapter = true): Promise<SimBluezPeer> {
    const bus = dbus.sessionBus({ busAddress: address });
    const peer = new SimBluezPeer(bus, adapter);
    await peer.exportBridge();
    peer.root = await bus.getProxyObject('org.bluez', '/');
    if (addAdapter) await peer.mock(peer.root, 'org.bluez.Mock', 'AddAdapter', adapter, 'carehub-test');
    for (const h of peripherals) await peer.host(h.p, h.bonded ?? false);
    await peer.followPower();
    peer.tickTimer = setInterval(() => peer.supervise(), 100);
    return peer;
  }

  security(address: string): SimSecurityState { return this.byAddress(address).sec; }

  /** Connections the device at `address` accepted so far. */
  connects(address: string): number { return this.byAddress(address).connects; }

  /**
   * Hold the answer to the next Connect of the device at `address` (a slow link set-up, another
   * client's connect under way). The mock is single-threaded and answers nothing else meanwhile:
   * a BlueZ slow to answer every call, where bluetoothd would only be slow to connect.
   * `reached` tells when the Connect arrived; `release` lets it on.
   */
  holdConnect(address: string): { reached(): boolean; release(): void } {
    const h = this.byAddress(address);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const hold = { reached: false, gate };
    h.hold = hold;
    return { reached: () => hold.reached, release };
  }

  /**
   * The next Connect of the device at `address` is answered but the link's property signals are
   * lost: no Connected/ServicesResolved for it, and a Disconnect of it announces nothing either.
   */
  loseNextConnectSignals(address: string): void {
    this.byAddress(address).lost = true;
  }

  /** Resolves once every notification and property change queued so far has been sent by the mock. */
  async drain(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  /** Stop serving and remove the hosted devices with their GATT objects, so the next test on the bus starts clean. */
  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    for (const h of this.hosted.values()) this.drop(h);
    await this.drain();
    const adapter = await this.proxy(`/org/bluez/${this.adapter}`);
    for (const h of this.hosted.values()) {
      for (const cp of h.chars.keys()) await this.mock(this.root, MOCK, 'RemoveObject', cp).catch(() => undefined);
      for (const sp of h.servicePaths) await this.mock(this.root, MOCK, 'RemoveObject', sp).catch(() => undefined);
      await this.mock(adapter, 'org.bluez.Adapter1', 'RemoveDevice', h.path).catch(() => undefined);
    }
    this.hosted.clear();
    this.bus.disconnect();
  }

  // ---- set-up ----

  private async exportBridge(): Promise<void> {
    const call: Call = (path, op, data) => this.call(path, op, data);
    class Bridge extends dbus.interface.Interface {
      Call(path: string, op: string, data: Buffer): Buffer | Promise<Buffer> { return call(path, op, data); }
    }
    Bridge.configureMembers({ methods: { Call: { inSignature: 'ssay', outSignature: 'ay' } } });
    this.bus.export('/bridge', new Bridge(BRIDGE));
    await this.bus.requestName(BRIDGE, 0);
  }

  /**
   * BlueZ drops every link when the adapter is powered off (the hub's watchdog power-cycles it)
   * and refuses to connect until it is powered again; the template only flips the property.
   */
  private async followPower(): Promise<void> {
    const adapter = await this.proxy(`/org/bluez/${this.adapter}`);
    const props = adapter.getInterface(PROPS);
    const powered = await this.mock(adapter, PROPS, 'Get', 'org.bluez.Adapter1', 'Powered');
    this.powered = (powered instanceof V ? powered.value : powered) !== false;
    props.on('PropertiesChanged', (iface: string, changed: Record<string, unknown>) => {
      const p = changed.Powered;
      if (iface !== 'org.bluez.Adapter1' || !(p instanceof V)) return;
      this.powered = p.value === true;
      if (!this.powered) for (const h of this.hosted.values()) this.drop(h);
    });
  }

  private async host(p: SimPeripheral, bonded: boolean): Promise<void> {
    const path = String(await this.mock(this.root, 'org.bluez.Mock', 'AddDevice', this.adapter, p.address.toUpperCase(), p.name));
    const dev = await this.bus.getProxyObject('org.bluez', path);
    const sec = new SimSecurityState(p.security);
    if (bonded) sec.bondBothSides();
    const h: Hosted = { p, path, sec, connected: false, connects: 0, chars: new Map(), servicePaths: [], notifying: new Set() };
    this.hosted.set(path, h);
    await this.mock(dev, MOCK, 'UpdateProperties', DEVICE, {
      UUIDs: new V('as', p.advertisedServices.map(expand)), RSSI: new V('n', p.rssi()), Paired: new V('b', bonded),
    });
    await this.mock(dev, MOCK, 'AddProperty', DEVICE, 'Bonded', new V('b', bonded)); // BlueZ >= 5.70; the template lacks it
    await this.mock(dev, MOCK, 'AddMethods', DEVICE, [
      ['Connect', '', '', forward('Connect', false)],
      ['Disconnect', '', '', forward('Disconnect', false)],
      ['Pair', '', '', forward('Pair', false, "str(objects['/org/bluez'].default_agent or '').encode()")],
    ]);
    let si = 0;
    for (const s of p.services) {
      const sp = `${path}/service${(++si).toString(16).padStart(4, '0')}`;
      h.servicePaths.push(sp);
      await this.mock(this.root, MOCK, 'AddObject', sp, GATT_SERVICE, { UUID: new V('s', expand(s.uuid)), Primary: new V('b', true), Device: new V('o', path) }, []);
      await this.interfacesAdded(sp, GATT_SERVICE, { UUID: new V('s', expand(s.uuid)), Primary: new V('b', true), Device: new V('o', path) });
      let ci = 0;
      for (const c of s.characteristics) {
        const cp = `${sp}/char${(++ci).toString(16).padStart(4, '0')}`;
        const flags = c.properties.map((x) => (x === 'writeWithoutResponse' ? 'write-without-response' : x));
        const props = { UUID: new V('s', expand(c.uuid)), Service: new V('o', sp), Flags: new V('as', flags), Value: new V('ay', Buffer.alloc(0)), Notifying: new V('b', false) };
        await this.mock(this.root, MOCK, 'AddObject', cp, GATT_CHAR, props, [
          ['ReadValue', 'a{sv}', 'ay', forward('ReadValue', true)],
          ['WriteValue', 'aya{sv}', '', forward('WriteValue', false, 'args[0]')],
          ['StartNotify', '', '', forward('StartNotify', false)],
          ['StopNotify', '', '', forward('StopNotify', false)],
        ]);
        await this.interfacesAdded(cp, GATT_CHAR, props);
        h.chars.set(cp, { service: norm(s.uuid), uuid: norm(c.uuid) });
      }
    }
  }

  private async interfacesAdded(path: string, iface: string, props: Record<string, unknown>): Promise<void> {
    await this.mock(this.root, MOCK, 'EmitSignal', 'org.freedesktop.DBus.ObjectManager', 'InterfacesAdded', 'oa{sa{sv}}',
      [new V('o', path), new V('a{sa{sv}}', { [iface]: props })]);
  }

  private async mock(obj: ProxyObject, iface: string, method: string, ...args: unknown[]): Promise<unknown> {
    const i = obj.getInterface(iface) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    return i[method]!(...args);
  }

  // ---- behaviour (answers the mock's forwarded calls; never calls the mock synchronously) ----

  private call(path: string, op: string, data: Buffer): Buffer | Promise<Buffer> {
    const devPath = [...this.hosted.keys()].find((d) => path === d || path.startsWith(`${d}/`));
    const h = devPath ? this.hosted.get(devPath) : undefined;
    if (!h) throw new dbus.DBusError('org.bluez.Error.DoesNotExist', 'no such object');
    switch (op) {
      case 'Connect': {
        const hold = h.hold;
        if (hold) {
          h.hold = undefined;
          hold.reached = true;
          return hold.gate.then(() => this.call(path, op, data));
        }
        // BlueZ (src/device.c, dev_connect) answers a Connect on a device it holds connected over
        // LE at once, with no property change
        if (h.connected) return Buffer.alloc(0);
        if (h.lost) { h.lost = false; return Buffer.alloc(0); }
        if (!this.powered) throw new dbus.DBusError('org.bluez.Error.NotReady', 'Resource Not Ready');
        if (!h.p.inRange()) throw new dbus.DBusError('org.bluez.Error.Failed', 'le-connection-abort-by-local');
        h.connected = true;
        h.connects++;
        h.sec.onConnect();
        this.setDevice(h, { Connected: new V('b', true), ServicesResolved: new V('b', true) });
        h.p.attach(this.link(h));
        return Buffer.alloc(0);
      }
      case 'Disconnect':
        this.drop(h);
        return Buffer.alloc(0);
      case 'Pair': return this.pair(h, data.toString());
      default: break;
    }
    const c = h.chars.get(path);
    if (!c || !h.connected) throw new dbus.DBusError('org.bluez.Error.Failed', 'Not connected');
    if (h.sec.check(c.service) !== 0) throw new dbus.DBusError('org.bluez.Error.NotPermitted', 'Insufficient encryption');
    const ch = h.p.services.find((s) => norm(s.uuid) === c.service)?.characteristics.find((x) => norm(x.uuid) === c.uuid);
    if (!ch) throw new dbus.DBusError('org.bluez.Error.Failed', 'gone');
    if (op === 'ReadValue') {
      if (!ch.onRead) throw new dbus.DBusError('org.bluez.Error.NotPermitted', 'Read not permitted');
      return Buffer.from(ch.onRead());
    }
    if (op === 'WriteValue') {
      const code = ch.onWrite?.(new Uint8Array(data));
      if (typeof code === 'number' && code !== 0) throw new dbus.DBusError('org.bluez.Error.Failed', `Operation failed with ATT error: 0x${code.toString(16)}`);
      return Buffer.alloc(0);
    }
    if (op === 'StartNotify' || op === 'StopNotify') {
      const on = op === 'StartNotify';
      if (on) h.notifying.add(path); else h.notifying.delete(path);
      // the device learns of the CCCD write after BlueZ answered (as the simulated bindings do it)
      if (ch.onSubscribe) { const cb = ch.onSubscribe.bind(ch); setImmediate(() => { if (h.connected) cb(on); }); }
      return Buffer.alloc(0);
    }
    throw new dbus.DBusError('org.bluez.Error.NotSupported', op);
  }

  /** Pairing as BlueZ does it: Just Works for `encrypted`, the registered agent's passkey for `authenticated`. */
  private async pair(h: Hosted, agentPath: string): Promise<Buffer> {
    let passkey: string | null = null;
    if (h.sec.security.level === 'authenticated') {
      if (!agentPath) throw new dbus.DBusError('org.bluez.Error.AuthenticationFailed', 'no agent');
      const asked = await this.askAgent(agentPath, h.path);
      if (asked === null) throw new dbus.DBusError('org.bluez.Error.AuthenticationRejected', 'Authentication Rejected');
      passkey = String(asked).padStart(6, '0');
    }
    const r = h.sec.pair(passkey); // BlueZ connects for pairing when needed
    if (!r.ok) throw new dbus.DBusError('org.bluez.Error.AuthenticationFailed', 'Authentication Failed');
    this.setDevice(h, { Paired: new V('b', true), Bonded: new V('b', true) }); // BlueZ >= 5.70 shows Bonded
    return Buffer.alloc(0);
  }

  /**
   * RequestPasskey on the registered agent. The template records the agent's path but not its
   * connection, so each client connection on this private bus is asked in turn.
   */
  private async askAgent(agentPath: string, device: string): Promise<number | null> {
    const dbusObj = await this.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const names = await this.mock(dbusObj, 'org.freedesktop.DBus', 'ListNames') as string[];
    const owner = await this.mock(dbusObj, 'org.freedesktop.DBus', 'GetNameOwner', 'org.bluez') as string;
    const pidOf = (n: string): Promise<unknown> => this.mock(dbusObj, 'org.freedesktop.DBus', 'GetConnectionUnixProcessID', n).catch(() => null);
    const mockPid = await pidOf(owner);
    // newest connection first (the agent registered just before Pair); never the mock's own connections (blocked in this call)
    const candidates = names.filter((n) => n.startsWith(':') && n !== (this.bus as unknown as { name: string }).name)
      .sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]));
    for (const n of candidates) {
      if ((await pidOf(n)) === mockPid) continue;
      const msg = new dbus.Message({ destination: n, path: agentPath, interface: 'org.bluez.Agent1', member: 'RequestPasskey', signature: 'o', body: [device] });
      try {
        const reply = await this.bus.call(msg);
        if (reply) return Number(reply.body[0]);
      } catch (e) {
        if ((e as { type?: string }).type === 'org.bluez.Error.Rejected') return null;
      }
    }
    return null;
  }

  private link(h: Hosted): SimLink {
    return {
      notify: (s, c, data) => {
        if (!h.connected) return;
        const cp = [...h.chars].find(([, v]) => v.service === norm(s) && v.uuid === norm(c))?.[0];
        if (!cp || !h.notifying.has(cp)) return;
        const value = Buffer.from(data);
        this.send(cp, (o) => this.mock(o, MOCK, 'EmitSignal', PROPS, 'PropertiesChanged', 'sa{sv}as',
          [new V('s', GATT_CHAR), new V('a{sv}', { Value: new V('ay', value) }), new V('as', [])]));
      },
      disconnect: () => this.drop(h),
    };
  }

  private drop(h: Hosted): void {
    if (!h.connected) return;
    h.connected = false;
    h.notifying.clear();
    h.sec.onDisconnect();
    h.p.detach();
    this.setDevice(h, { Connected: new V('b', false), ServicesResolved: new V('b', false) });
  }

  /** Link supervision: a device out of range drops its link (as a supervision timeout would). */
  private supervise(): void {
    for (const h of this.hosted.values()) if (h.connected && !h.p.inRange()) this.drop(h);
  }

  private setDevice(h: Hosted, props: Record<string, unknown>): void {
    this.send(h.path, (o) => this.mock(o, MOCK, 'UpdateProperties', DEVICE, props), (e) => { process.stderr.write(`sim-bluez-peer: UpdateProperties failed: ${String(e)}\n`); });
  }

  /** Queue a call on the mock object at `path` behind everything queued before (never run synchronously: the bridge may be inside a mock call). */
  private send(path: string, fn: (o: ProxyObject) => Promise<unknown>, onError: (e: unknown) => void = () => undefined): void {
    this.pending++;
    this.chain = this.chain
      .then(() => new Promise<void>((r) => setImmediate(r)))
      .then(() => this.proxy(path)).then(fn).then(() => undefined, onError)
      .finally(() => { this.pending--; });
  }

  private proxy(path: string): Promise<ProxyObject> {
    let p = this.proxies.get(path);
    if (!p) { p = this.bus.getProxyObject('org.bluez', path); this.proxies.set(path, p); }
    return p;
  }

  private byAddress(address: string): Hosted {
    const h = [...this.hosted.values()].find((x) => x.p.address.toUpperCase() === address.toUpperCase());
    if (!h) throw new Error(`no hosted device ${address}`);
    return h;
  }
}
