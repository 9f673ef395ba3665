import dbus from 'dbus-next';

const { METHOD_CALL, METHOD_RETURN, ERROR } = dbus.MessageType;
const NO_REPLY = dbus.MessageFlag.NO_REPLY_EXPECTED;

/**
 * Watches the private test bus as a D-Bus monitor (org.freedesktop.DBus.Monitoring.BecomeMonitor)
 * and tells when it is quiet: no method call waiting for its reply and nothing sent for a moment.
 * Tests that step fake time hold the clock while D-Bus work is under way, so a slow round trip
 * on a loaded machine never turns into seconds of device time (fake timeouts firing mid-call).
 */
export interface BusQuiet {
  /** Resolves once no call is outstanding and the bus has been silent for `silentMs` (at most `maxMs` of real time). */
  quiet(silentMs?: number, maxMs?: number): Promise<void>;
  stop(): void;
}

/** An outstanding call with no reply for this long is forgotten (its caller went away). */
const STALE_MS = 5000;

export async function watchBus(address: string): Promise<BusQuiet> {
  const bus = dbus.sessionBus({ busAddress: address });
  bus.on('error', () => undefined); // the daemon going away at the end of the file
  const pending = new Map<string, number>();
  let last = Date.now();
  let monitoring = false;
  // A monitor must never send: every call it sees is "handled" without a reply.
  bus.addMethodHandler(() => monitoring);
  bus.on('message', (m: dbus.Message) => {
    if (!monitoring) return;
    last = Date.now();
    if (m.type === METHOD_CALL) {
      if (!(m.flags & NO_REPLY)) pending.set(`${m.sender}/${m.serial}`, last);
    } else if (m.type === METHOD_RETURN || m.type === ERROR) {
      pending.delete(`${m.destination}/${m.replySerial}`);
    }
  });
  await bus.call(new dbus.Message({
    destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus.Monitoring',
    member: 'BecomeMonitor', signature: 'asu', body: [[], 0],
  }));
  monitoring = true;
  return {
    async quiet(silentMs = 2, maxMs = 5000) {
      const end = Date.now() + maxMs;
      for (;;) {
        await new Promise((r) => setTimeout(r, 1)); // always let the sockets be read first
        const now = Date.now();
        for (const [k, at] of pending) if (now - at > STALE_MS) pending.delete(k);
        if ((pending.size === 0 && now - last >= silentMs) || now >= end) return;
      }
    },
    stop() { bus.disconnect(); },
  };
}
