import dbus, { type MessageBus } from 'dbus-next';

interface MatchInternals {
  _addMatch(rule: string): Promise<unknown>;
  _removeMatch(rule: string): Promise<unknown>;
  _connection?: { stream?: { writable?: boolean } };
}

/**
 * Signal match rules on a dbus-next bus counted per rule, and removed from the daemon when the
 * last listener goes. dbus-next 0.10 means to do this but tests its refcount with the arguments
 * swapped: every subscription sends AddMatch and no RemoveMatch is ever sent. dbus-daemon allows
 * a connection 512 rules (max_match_rules_per_connection, the system bus default); noble's D-Bus
 * bindings subscribe a fresh device proxy per connection attempt and each characteristic per
 * session, so after some hundred attempts every new subscription is refused and the hub no longer
 * hears a new sensor connect or notify. Rules refused by the daemon are not counted.
 */
export function countMatchRules(bus: MessageBus): void {
  const b = bus as unknown as MatchInternals;
  const held = new Map<string, number>();
  const add = b._addMatch.bind(b);
  b._addMatch = (rule: string): Promise<unknown> => {
    const n = held.get(rule) ?? 0;
    held.set(rule, n + 1);
    if (n > 0) return Promise.resolve();
    return add(rule).catch((e: unknown) => {
      held.delete(rule);
      throw e;
    });
  };
  b._removeMatch = (rule: string): Promise<unknown> => {
    const n = held.get(rule) ?? 0;
    if (n > 1) held.set(rule, n - 1);
    else held.delete(rule);
    if (n !== 1 || !b._connection?.stream?.writable) return Promise.resolve();
    return bus.call(new dbus.Message({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
      member: 'RemoveMatch', signature: 's', body: [rule],
    }));
  };
}
