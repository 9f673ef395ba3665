import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configSchema } from '../../src/config/schema.js';
import { passwordFilePath, setPassword } from '../../src/console/password-file.js';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Hub } from '../../src/hub/hub.js';

export const TECH_PASSWORD = 'technician-secret-1';
export const VIEWER_PASSWORD = 'family-watches-2';

export const ALL_DEVICES = [
  { id: 'oxi-1', kind: 'oximeter', transport: 'ble', protocol: 'plxs', simulate: 'normal' },
  // forwards its pleth waveform: the device page shows it live
  { id: 'oxi-2', kind: 'oximeter', transport: 'ble', protocol: 'berrymed', simulate: 'normal', options: { waveform: true } },
  { id: 'cgm-1', kind: 'cgm', transport: 'ble', protocol: 'cgms', simulate: 'hypo-fast' },
  { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus', simulate: 'normal' },
];

export interface ConsoleHub {
  hub: Hub;
  url: string;
  dir: string;
  configFile: string;
  stop(): Promise<void>;
}

/** A real hub (simulated devices through the real drivers, real store) with its console on loopback. */
export async function startConsoleHub(o: { login?: boolean; devices?: unknown[]; local?: Record<string, unknown> } = {}): Promise<ConsoleHub> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-console-'));
  const raw = {
    hub: { id: 'hub-console' },
    storage: { path: join(dir, 'carehub.db'), maxBytes: '64MB' },
    uplink: { mqtt: { url: 'mqtt://127.0.0.1:1', reconnectMinMs: 1000, reconnectMaxMs: 5000 } },
    devices: o.devices ?? [ALL_DEVICES[0]],
    local: { pagePort: 0, controlSocket: join(dir, 'control.sock'), sound: false, console: false, consoleLogin: o.login ?? true, ...o.local },
  };
  const config = configSchema.parse(raw);
  // the file the hub runs from (the configuration page edits it)
  const configFile = join(dir, 'carehub.yaml');
  writeFileSync(configFile, `# console test hub\n${stringify(raw)}`, { mode: 0o640 });
  if (o.login ?? true) {
    await setPassword(passwordFilePath(config.storage.path), 'technician', TECH_PASSWORD);
    await setPassword(passwordFilePath(config.storage.path), 'viewer', VIEWER_PASSWORD);
  }
  const hub = await Hub.start({ config, log: silentLogger(), clock: new SystemClock(), configFile });
  return {
    hub,
    dir,
    configFile,
    url: hub.pageUrl ?? '',
    stop: async () => { await hub.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A technical alarm raised the way a driver raises it (the engine's own entry point). */
export function raiseProbeOff(hub: Hub): string {
  hub.alarms.technical({ code: 'sensor_off_finger', device: 'oxi-1', kind: 'oximeter', active: true, text: 'Probe off the finger' });
  const a = hub.alarms.active().find((x) => x.condition === 'sensor_off_finger');
  if (!a) throw new Error('sensor_off_finger not raised');
  return a.alarm;
}
