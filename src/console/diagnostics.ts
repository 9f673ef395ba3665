import { buildBundle, got, type DiagSources } from '../diag/bundle.js';
import { readStoreFile } from '../diag/store-stats.js';
import { listSerialPorts, type SerialPortInfo } from '../transport/serial/list.js';

/** One check of the self-test: ok, or why not. */
export interface SelfCheck {
  name: 'annunciators' | 'broker' | 'ble' | 'serial';
  ok: boolean;
  detail: string;
  ports?: SerialPortInfo[];
}

interface StatusFacts {
  uplink?: { state?: string; lastError?: string | null };
  ble?: { bindings: string; adapter: string; reason: string; state: string } | null;
}

/**
 * The console's self-test: the annunciators sound their test (the engine's own test), the broker
 * as the uplink last saw it, the BLE adapter from the hub's status, and the serial ports present.
 */
export async function selfTest(test: () => void, status: StatusFacts): Promise<SelfCheck[]> {
  const out: SelfCheck[] = [];
  try {
    test();
    out.push({ name: 'annunciators', ok: true, detail: 'test sounded: high, medium, low' });
  } catch (err) {
    out.push({ name: 'annunciators', ok: false, detail: (err as Error).message });
  }
  const up = status.uplink ?? {};
  out.push({ name: 'broker', ok: up.state === 'connected', detail: `${up.state ?? 'unknown'}${up.lastError ? ` (${up.lastError})` : ''}` });
  const ble = status.ble;
  out.push(ble
    ? { name: 'ble', ok: ble.state === 'poweredOn', detail: `${ble.bindings} ${ble.adapter}: ${ble.state}` }
    : { name: 'ble', ok: true, detail: 'no BLE device uses a real adapter' });
  const ports = await listSerialPorts();
  out.push({ name: 'serial', ok: true, detail: `${ports.length} serial port(s)`, ports });
  return out;
}

/** The same bundle as `carehub diag`, from the running hub: its config and status, the store read-only. */
export function diagnosticsBundle(o: { config: unknown; status: unknown; dbPath: string }): Promise<Buffer> {
  const src: DiagSources = { config: got(o.config), status: got(o.status), ...readStoreFile(o.dbPath) };
  return buildBundle(src);
}
