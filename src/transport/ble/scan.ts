import type { DriverDefinition } from '../../../drivers/types.js';
import { norm } from './sim-bindings.js';
import type { Advert, BleCentral } from './types.js';

/** One supported device seen by `carehub scan`. */
export interface ScannedDevice {
  kind: DriverDefinition['kind'];
  protocol: string;
  address: string;
  name: string | null;
  rssi: number;
  services: string[];
}

/** Does this advert match the driver's declared service UUIDs or local-name prefixes? */
export function matchAdvert(a: Advert, d: DriverDefinition): boolean {
  if (d.transport !== 'ble' || !d.match) return false;
  const uuids = (d.match.serviceUuids ?? []).map(norm);
  if (a.serviceUuids.some((u) => uuids.includes(norm(u)))) return true;
  return (d.match.localNamePrefixes ?? []).some((p) => a.name?.startsWith(p) ?? false);
}

/**
 * Scan for `seconds` and return supported devices (strongest signal first), one entry per
 * address with the last RSSI and the union of advertised services. Rejects when the adapter
 * is unavailable, so the CLI can say so and exit 1.
 */
export async function scanSupported(central: BleCentral, drivers: DriverDefinition[], seconds: number, readyTimeoutMs = 5000): Promise<ScannedDevice[]> {
  await central.ready(readyTimeoutMs);
  const seen = new Map<string, ScannedDevice>();
  await central.scan(seconds, (a) => {
    const d = drivers.find((x) => matchAdvert(a, x));
    if (!d) return;
    const prev = seen.get(a.address);
    const services = [...new Set([...(prev?.services ?? []), ...a.serviceUuids.map(norm)])];
    seen.set(a.address, { kind: d.kind, protocol: d.id, address: a.address, name: a.name ?? prev?.name ?? null, rssi: a.rssi, services });
  });
  return [...seen.values()].sort((x, y) => y.rssi - x.rssi);
}
