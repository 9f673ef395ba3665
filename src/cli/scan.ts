import { allDrivers } from '../../drivers/index.js';
import { createLogger } from '../core/log.js';
import { SystemClock } from '../core/system-clock.js';
import { loadConfigFile } from '../config/load.js';
import { chooseBindings } from '../transport/ble/bindings-choice.js';
import { bondState, openSystemBus } from '../transport/ble/bluez-bus.js';
import { createNobleCentral } from '../transport/ble/noble-central.js';
import { scanSupported } from '../transport/ble/scan.js';
import { EXIT_FAILURE, EXIT_OK } from './exit.js';

/** `carehub scan`: supported BLE devices nearby with kind, address, name, RSSI and services. */
export async function scanCommand(o: { seconds: number; json?: boolean; config?: string }): Promise<number> {
  const log = createLogger({ level: 'warn' });
  const clock = new SystemClock(true);
  let unavailable: string | null = null;
  // The stack and adapter of the config when it is readable, else auto on hci0.
  const loaded = loadConfigFile(o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml');
  const choice = await chooseBindings(loaded.ok ? loaded.config.ble : { bindings: 'auto', adapter: 'hci0' });
  const central = createNobleCentral({ bindings: choice.bindings, adapter: choice.adapter, log: log.child('ble'), clock, technical: (c) => { if (c.active) unavailable = c.text; } });
  try {
    const scanned = await scanSupported(central, await allDrivers(), o.seconds);
    const found = choice.bindings === 'bluez' ? await withBondState(scanned, choice.adapter) : scanned;
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: true, devices: found })}\n`);
    else if (found.length === 0) process.stdout.write(`no supported devices found in ${o.seconds} s\n`);
    else for (const d of found) process.stdout.write(`${d.address}  ${d.kind.padEnd(9)} ${d.protocol.padEnd(9)} ${String(d.rssi).padStart(4)} dBm  ${d.name ?? '(no name)'}  ${d.services.join(',')}${'bonded' in d ? (d.bonded ? '  bonded' : '  not paired') : ''}\n`);
    return EXIT_OK;
  } catch (err) {
    const why = unavailable ?? (err as Error).message;
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, error: why, adapter: central.state() })}\n`);
    else process.stderr.write(`carehub: BLE scan failed: ${why} (adapter state ${central.state()})\n`);
    return EXIT_FAILURE;
  } finally {
    await central.close();
  }
}

/** bluez mode: whether BlueZ holds a bond for each device found (at most 64 look-ups, each bounded). */
async function withBondState<T extends { address: string }>(found: T[], adapter: string): Promise<(T & { bonded: boolean | null })[]> {
  const bus = openSystemBus();
  try {
    const out: (T & { bonded: boolean | null })[] = [];
    for (const [i, d] of found.entries()) out.push({ ...d, bonded: i < 64 ? await bondState(bus, adapter, d.address) : null });
    return out;
  } finally {
    bus.disconnect();
  }
}
