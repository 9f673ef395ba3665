import { allDrivers } from '../../drivers/index.js';
import { createLogger } from '../core/log.js';
import { SystemClock } from '../core/system-clock.js';
import { createNobleCentral } from '../transport/ble/noble-central.js';
import { scanSupported } from '../transport/ble/scan.js';
import { EXIT_FAILURE, EXIT_OK } from './exit.js';

/** `carehub scan`: supported BLE devices nearby with kind, address, name, RSSI and services. */
export async function scanCommand(o: { seconds: number; json?: boolean }): Promise<number> {
  const log = createLogger({ level: 'warn' });
  const clock = new SystemClock(true);
  let unavailable: string | null = null;
  const central = createNobleCentral({ bindings: 'hci', log: log.child('ble'), clock, technical: (c) => { if (c.active) unavailable = c.text; } });
  try {
    const found = await scanSupported(central, await allDrivers(), o.seconds);
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: true, devices: found })}\n`);
    else if (found.length === 0) process.stdout.write(`no supported devices found in ${o.seconds} s\n`);
    else for (const d of found) process.stdout.write(`${d.address}  ${d.kind.padEnd(9)} ${d.protocol.padEnd(9)} ${String(d.rssi).padStart(4)} dBm  ${d.name ?? '(no name)'}  ${d.services.join(',')}\n`);
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
