import { loadDriver } from '../../drivers/index.js';
import type { DeviceConfig, Protocol } from '../config/schema.js';
import { createLogger } from '../core/log.js';
import { SystemClock } from '../core/system-clock.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';
import { untilStopped } from './lifecycle.js';

const BY_KIND: Record<string, { kind: DeviceConfig['kind']; transport: DeviceConfig['transport']; protocol: Protocol }> = {
  cgm: { kind: 'cgm', transport: 'ble', protocol: 'cgms' },
  oximeter: { kind: 'oximeter', transport: 'ble', protocol: 'plxs' },
  berrymed: { kind: 'oximeter', transport: 'ble', protocol: 'berrymed' },
  ventilator: { kind: 'ventilator', transport: 'serial', protocol: 'medibus' },
};

/**
 * `carehub simulate KIND`: a device simulator for rigs. The ventilator serves MEDIBUS on a
 * serial port, a TCP port or a fresh pseudo-terminal. BLE devices (no peripheral role on a
 * hub adapter) run their device model and print every notification/indication as JSON lines
 * with the real bytes, for `carehub decode`, fixtures and replay.
 */
export async function simulateCommand(kind: string, o: { serial?: string; tcp?: number; scenario: string; duration?: number }): Promise<number> {
  const spec = BY_KIND[kind];
  if (!spec) {
    process.stderr.write(`carehub: unknown simulator ${kind}; use cgm, oximeter, berrymed or ventilator\n`);
    return EXIT_USAGE;
  }
  const log = createLogger({ level: 'warn' });
  const clock = new SystemClock(true);
  const device: DeviceConfig = {
    id: `sim-${kind}`, kind: spec.kind, transport: spec.transport, protocol: spec.protocol, simulate: o.scenario,
    options: { quirks: [], readingRateHz: 1, waveform: false, waveformHz: 25, baud: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
  };
  if (spec.transport === 'serial') {
    const { runVentilatorSimulator } = await import('../../drivers/ventilator-medibus/cli-simulate.js');
    const opts: Parameters<typeof runVentilatorSimulator>[0] = { scenario: o.scenario, log };
    if (o.serial) opts.serial = o.serial;
    if (o.tcp !== undefined) opts.tcpPort = o.tcp;
    let sim;
    try {
      sim = await runVentilatorSimulator(opts);
    } catch (err) {
      process.stderr.write(`carehub: simulator failed: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
    process.stdout.write(`MEDIBUS ventilator (${o.scenario}) on ${sim.path ?? `tcp://127.0.0.1:${sim.port ?? '?'}`}\n`);
    await untilStopped(o.duration, log);
    await sim.stop();
    return EXIT_OK;
  }
  const def = await loadDriver(spec.protocol);
  if (def.simulator?.transport !== 'ble') return EXIT_FAILURE;
  const p = def.simulator.create({ device, scenario: o.scenario, clock, log });
  process.stdout.write(`${JSON.stringify({ simulator: kind, scenario: o.scenario, address: p.address, name: p.name, services: p.advertisedServices })}\n`);
  p.attach({
    notify: (service, characteristic, data) => {
      process.stdout.write(`${JSON.stringify({ t: new Date(clock.now()).toISOString(), service, characteristic, hex: Buffer.from(data).toString('hex') })}\n`);
    },
    disconnect: (reason) => process.stdout.write(`${JSON.stringify({ t: new Date(clock.now()).toISOString(), event: 'disconnect', reason })}\n`),
  });
  await untilStopped(o.duration, log);
  p.detach();
  p.stop();
  return EXIT_OK;
}
