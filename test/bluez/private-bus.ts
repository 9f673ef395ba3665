import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import dbus from 'dbus-next';

/**
 * A private D-Bus "system" bus for tests: dbus-daemon (Debian package dbus) started by the test,
 * and Debian's python3-dbusmock serving its `bluez5` template as org.bluez on it. Nothing touches
 * the machine's real system bus: callers point DBUS_SYSTEM_BUS_ADDRESS at `address`.
 */
export const PYTHON = '/usr/bin/python3';
export const DBUS_DAEMON = '/usr/bin/dbus-daemon';

export function bluezMockAvailable(): boolean {
  return existsSync(DBUS_DAEMON) && existsSync(PYTHON) && existsSync('/usr/lib/python3/dist-packages/dbusmock/templates/bluez5.py');
}

export interface PrivateBus {
  address: string;
  stop(): Promise<void>;
}

const CONFIG = (dir: string): string => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow send_type="signal"/>
    <allow receive_type="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

function firstLine(p: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout! });
    const t = setTimeout(() => reject(new Error(`${what}: no output within ${timeoutMs} ms`)), timeoutMs);
    rl.once('line', (l) => { clearTimeout(t); rl.close(); resolve(l.trim()); });
    p.once('exit', (code) => { clearTimeout(t); reject(new Error(`${what} exited with ${code}`)); });
  });
}

function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { p.once('exit', () => r()); p.kill('SIGTERM'); });
}

export async function startPrivateBus(): Promise<PrivateBus> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-dbus-'));
  const conf = join(dir, 'bus.conf');
  writeFileSync(conf, CONFIG(dir));
  const daemon = spawn(DBUS_DAEMON, ['--config-file', conf, '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await firstLine(daemon, 'dbus-daemon', 5000);
  return {
    address,
    async stop() { await kill(daemon); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Run python3-dbusmock's bluez5 template as org.bluez on the bus; resolves once the name is owned. */
export async function startBluezMock(address: string): Promise<{ stop(): Promise<void> }> {
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address, PYTHONUNBUFFERED: '1' };
  const template = join(dirname(fileURLToPath(import.meta.url)), 'bluez5_declared.py');
  const p = spawn(PYTHON, ['-m', 'dbusmock', '--system', '--template', template], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
  const bus = dbus.sessionBus({ busAddress: address });
  try {
    const obj = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const iface = obj.getInterface('org.freedesktop.DBus') as unknown as { NameHasOwner(n: string): Promise<boolean> };
    for (let i = 0; ; i++) {
      if (await iface.NameHasOwner('org.bluez')) break;
      if (p.exitCode !== null || i > 200) throw new Error(`dbusmock bluez5 did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    bus.disconnect();
  }
  return { stop: () => kill(p) };
}
