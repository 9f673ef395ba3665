import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { openSerialLink } from '../../src/transport/serial/open.js';
import { openPtyPair } from '../../src/transport/serial/pty.js';
import { DEFAULT_SERIAL_SETTINGS, type SerialLink, type SerialSettings } from '../../src/transport/serial/types.js';
import { SCENARIOS, type ModelOptions, type ScenarioName } from './patient-model.js';
import { MedibusSimDevice } from './sim-device.js';

export interface VentilatorSimOptions {
  /** A real serial port to serve (the rig's cable). */
  serial?: string;
  /** Serve on TCP instead (like a ser2net adapter); 0 = any free port. */
  tcpPort?: number;
  /** TCP bind address (default 127.0.0.1). */
  host?: string;
  scenario: string;
  log: Logger;
  clock?: Clock;
  /** For the pty endpoint: a stable path (symlink) the driver opens. */
  linkPath?: string;
  settings?: SerialSettings;
  model?: ModelOptions;
  /** Start silent (and deaf) until `device.mute(false)`: a device that says nothing when plugged in. */
  muted?: boolean;
}

export interface VentilatorSimHandle {
  path?: string;
  port?: number;
  device: MedibusSimDevice;
  stop(): Promise<void>;
  /** Raw bytes onto the line, outside the protocol (rig garbage-bytes fault). */
  inject(bytes: Uint8Array): Promise<unknown>;
}

export function isScenario(s: string): s is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(s);
}

/** Default pty link path of an in-process simulated device. */
export function simLinkPath(deviceId: string): string {
  return join(tmpdir(), `carehub-sim-${deviceId.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
}

/**
 * Runs a simulated MEDIBUS ventilator on a pseudo-terminal (default), a real serial port
 * or a TCP port. `carehub simulate ventilator` calls this; tests and the demo too.
 */
export async function runVentilatorSimulator(o: VentilatorSimOptions): Promise<VentilatorSimHandle> {
  if (!isScenario(o.scenario)) throw new Error(`unknown ventilator scenario ${o.scenario} (${SCENARIOS.join(', ')})`);
  const clock = o.clock ?? new SystemClock(false);
  const log = o.log.child('sim:ventilator');
  const device = new MedibusSimDevice({ scenario: o.scenario, clock, log, ...(o.model ? { model: o.model } : {}) });
  if (o.muted) device.mute(true);

  if (o.tcpPort !== undefined) {
    const { server, port } = await serveTcp(device, o.tcpPort, o.host ?? '127.0.0.1', log);
    device.start();
    log.info({ port, scenario: o.scenario }, 'ventilator simulator on tcp');
    return {
      port, device,
      inject: async () => false, // TCP: no line to inject into
      stop: async () => { device.stop(); await new Promise<void>((r) => server.close(() => r())); },
    };
  }

  let link: SerialLink;
  let path: string;
  if (o.serial) {
    const r = await openSerialLink(o.serial, o.settings ?? DEFAULT_SERIAL_SETTINGS);
    if (!r.ok) throw new Error(`cannot open ${o.serial}: ${r.reason}`);
    link = r.link;
    path = o.serial;
  } else {
    const ep = await openPtyPair(o.linkPath ? { linkPath: o.linkPath } : {});
    link = ep;
    path = ep.path;
  }
  link.onData((b) => device.input(b));
  link.onClose((why) => { if (why) log.warn({ why }, 'simulator line closed'); });
  device.attach((b) => { void link.write(b); });
  device.start();
  log.info({ path, scenario: o.scenario }, 'ventilator simulator on serial');
  return { path, device, inject: (b) => link.write(b), stop: async () => { device.stop(); await link.close(); } };
}

function serveTcp(device: MedibusSimDevice, port: number, host: string, log: Logger): Promise<{ server: Server; port: number }> {
  let current: Socket | null = null;
  device.attach((b) => { if (current && !current.destroyed) current.write(b); });
  const server = createServer((sock) => {
    if (current) current.destroy(); // one host at a time, like a serial line
    current = sock;
    sock.setNoDelay(true);
    sock.on('data', (b: Buffer) => device.input(b));
    sock.on('error', () => {});
    sock.on('close', () => { if (current === sock) current = null; });
    log.debug('host connected');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}
