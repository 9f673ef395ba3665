import { dirname } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { LocalParts } from '../hub/start-local.js';
import { metricLimits } from './limits.js';
import { passwordFilePath } from './password-file.js';
import { isLoopback, startConsole, type ConsoleHandle, type ConsoleStatus } from './server.js';
import { hubCertificate } from './tls.js';

export interface HubConsole extends ConsoleHandle {
  /** SHA-256 fingerprint of the console certificate (HTTPS only). */
  fingerprint: string | null;
}

/**
 * The console of a running hub, from its config: off loopback with the hub's certificate
 * (created in the state directory on first start) and always with login; on loopback plain HTTP,
 * with login unless `local.consoleLogin` is false. Throws when it cannot start (the caller raises
 * `local_page_unavailable`).
 */
export async function startHubConsole(o: { config: Config; log: Logger; clock: Clock; parts: LocalParts; status: () => unknown; configFile?: string | undefined; restart?: (() => void) | undefined }): Promise<HubConsole> {
  const { config, log, parts } = o;
  const { pageBind: bind, pagePort: port } = config.local;
  const loopback = isLoopback(bind);
  if (!loopback && !config.local.consoleLogin) throw new Error(`local.consoleLogin: false is allowed only on a loopback pageBind, not ${bind}`);
  let tls: { cert: string; key: string } | undefined;
  let fingerprint: string | null = null;
  if (!loopback) {
    const c = await hubCertificate({ storagePath: config.storage.path, hubId: config.hub.id, bind });
    if (c.created) log.warn({ fingerprint: c.fingerprint, dir: dirname(config.storage.path) }, 'console certificate created; check this fingerprint in the browser');
    tls = { cert: c.cert, key: c.key };
    fingerprint = c.fingerprint;
  }
  const h = await startConsole({
    bind, port, log, clock: o.clock, hubId: config.hub.id,
    status: () => o.status() as ConsoleStatus,
    alarms: parts.alarms,
    limits: (metric) => metricLimits(parts.alarms.rules(), metric),
    kv: parts.store,
    dbPath: config.storage.path,
    configFile: o.configFile,
    config,
    alarmHistory: (limit) => parts.store.alarmHistory(limit),
    waveform: (device) => parts.waves.window(device),
    restart: o.restart,
    passwordFile: passwordFilePath(config.storage.path),
    login: config.local.consoleLogin,
    sessionIdleMs: config.local.consoleSessionMinutes * 60_000,
    pairing: { ble: parts.devices.pairingBle(), running: config.devices },
    ...(tls ? { tls } : {}),
  });
  return Object.assign(h, { fingerprint });
}
