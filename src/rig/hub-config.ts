import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../config/load.js';
import type { Scenario } from './scenario-schema.js';

export interface HubFiles {
  config: string;
  db: string;
  socket: string;
  log: string;
  /** Config of the final drain-only start (same database, no devices). */
  drainConfig: string;
}

export function hubFiles(dir: string): HubFiles {
  return { config: join(dir, 'carehub.yaml'), db: join(dir, 'carehub.db'), socket: join(dir, 'control.sock'), log: join(dir, 'hub.log'), drainConfig: join(dir, 'carehub-drain.yaml') };
}

/**
 * Writes the hub config of a rig run: the scenario's devices and alarm rules, a database,
 * control socket and log in the run's directory, fast reconnects, no local sound. Validated
 * with the hub's own schema before it is written.
 */
export function writeHubConfig(s: Scenario, files: HubFiles, broker: { url: string; protocolVersion: 4 | 5 }, maxBytes: number | string, drainOnly = false): void {
  const config = {
    version: 1,
    hub: { id: s.hub.id },
    storage: { path: files.db, maxBytes },
    uplink: {
      mqtt: { url: broker.url, protocolVersion: broker.protocolVersion, reconnectMinMs: 200, reconnectMaxMs: 1000, keepaliveS: 5 },
      batchMaxDelayMs: 50,
    },
    devices: drainOnly ? [] : s.devices,
    ...(s.hub.alarms ? { alarms: s.hub.alarms } : {}),
    local: { pagePort: 0, controlSocket: files.socket, sound: false },
    log: { level: 'info' },
  };
  const text = stringify(config);
  const file = drainOnly ? files.drainConfig : files.config;
  const check = parseConfig(text, {}, file);
  if (!check.ok) throw new Error(`the rig built an invalid hub config: ${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  writeFileSync(file, text, { mode: 0o600 });
}
