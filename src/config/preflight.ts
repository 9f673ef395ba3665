import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import cron from 'node-cron';
import { CommandAuth } from '../uplink/command-auth.js';
import { buildConnectOptions, checkTransport, readCredentials } from '../uplink/connect-options.js';
import { formatProblems, formatWarnings } from '../uplink/fhir-config.js';
import type { ConfigProblem } from './load.js';
import { configSchema, type Config } from './schema.js';

/**
 * What `run` needs beyond a config that validates: the files it reads, the folders it writes, the
 * syntax of strings the schema keeps as plain text (cron, time zone, addresses). `check-config`
 * reports every problem and exits 2; `run` uses the same list to leave the part concerned out
 * (raising its technical alarm) while local monitoring runs.
 *
 * `part` says which part of the hub a problem disables:
 * - uplink, schedule, local-page: optional parts; run starts without them (alarm).
 * - control-socket: the technicians' socket; run starts without it (alarm).
 * - store, devices: reported by the store and the drivers themselves at run time.
 */
export type PreflightPart = 'uplink' | 'schedule' | 'local-page' | 'control-socket' | 'store' | 'devices';

export interface PreflightProblem extends ConfigProblem {
  part: PreflightPart;
}

export interface PreflightResult {
  problems: PreflightProblem[];
  /** Not refused by run, but worth a technician's look. */
  warnings: string[];
}

/** Longest Unix socket path Linux accepts (sun_path is 108 bytes with the terminating NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** The shipped schedule, used by run when a configured cron expression cannot be used. */
export const DEFAULT_SCHEDULE: Readonly<Config['schedule']> = configSchema.shape.schedule.parse(undefined);

export function preflight(config: Config): PreflightResult {
  const problems: PreflightProblem[] = [];
  const warnings: string[] = [];
  const add = (part: PreflightPart, path: string, message: string): void => { problems.push({ part, path, message }); };

  const tz = timeZoneProblem(config.hub.timezone);
  if (tz) add('schedule', 'hub.timezone', tz);
  for (const job of ['housekeeping', 'integrityCheck'] as const) {
    const p = cronProblem(config.schedule[job]);
    if (p) add('schedule', `schedule.${job}`, p);
  }

  for (const p of uplinkProblems(config.uplink)) add('uplink', p.path, p.message);
  warnings.push(...formatWarnings(config.uplink, config.devices));

  const sock = config.local.controlSocket;
  if (Buffer.byteLength(sock) > MAX_SOCKET_PATH_BYTES) add('control-socket', 'local.controlSocket', `path is ${Buffer.byteLength(sock)} bytes; a Unix socket path holds at most ${MAX_SOCKET_PATH_BYTES}`);
  folderCheck(dirname(sock), 'local.controlSocket', 'control-socket', add, warnings);

  const bind = config.local.pageBind;
  if (isIP(bind) === 0 && bind !== 'localhost') add('local-page', 'local.pageBind', `"${bind}" is not an IP address (e.g. 127.0.0.1 or ::1)`);

  if (existsSync(config.storage.path) && statSync(config.storage.path).isDirectory()) add('store', 'storage.path', `${config.storage.path} is a directory, not a database file`);
  folderCheck(dirname(config.storage.path), 'storage.path', 'store', add, warnings);

  config.devices.forEach((d, i) => {
    if (d.simulate || !d.path?.startsWith('tcp://')) return;
    const p = tcpAddressProblem(d.path);
    if (p) add('devices', `devices[${i}].path`, p);
  });
  return { problems, warnings };
}

/** Problems of one part, as one line for a technical alarm text. */
export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}

export function timeZoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return null;
  } catch {
    return `unknown time zone "${tz}" (an IANA name such as Europe/Copenhagen)`;
  }
}

export function cronProblem(expr: string): string | null {
  return cron.validate(expr) ? null : `"${expr}" is not a valid cron expression (5 or 6 fields, e.g. "*/15 * * * *")`;
}

/**
 * The uplink checks, built on the uplink's own code so that check-config refuses exactly what the
 * uplink refuses: the transport policy (checkTransport), each TLS file readable (as the uplink
 * reads them), the credentials file and its format (readCredentials); finally the uplink's own
 * buildConnectOptions, which catches any rule not listed here.
 */
export function uplinkProblems(uplink: Config['uplink']): ConfigProblem[] {
  const { mqtt } = uplink;
  const out: ConfigProblem[] = [];
  if (uplink.commandKey !== undefined) {
    try {
      CommandAuth.fromFile(uplink.commandKey);
    } catch (err) {
      out.push({ path: 'uplink.commandKey', message: (err as Error).message });
    }
  }
  let secure = false;
  try {
    secure = checkTransport(mqtt).secure;
  } catch (err) {
    out.push({ path: 'uplink.mqtt.url', message: (err as Error).message });
  }
  if (secure) {
    for (const key of ['ca', 'cert', 'key'] as const) {
      const file = mqtt[key];
      if (file !== undefined) {
        const p = unreadable(file);
        if (p) out.push({ path: `uplink.mqtt.${key}`, message: p });
      }
    }
    if ((mqtt.cert === undefined) !== (mqtt.key === undefined)) out.push({ path: mqtt.cert === undefined ? 'uplink.mqtt.cert' : 'uplink.mqtt.key', message: 'uplink.mqtt.cert and uplink.mqtt.key go together' });
  }
  if (mqtt.credentialsFile !== undefined) {
    try {
      readCredentials(mqtt.credentialsFile);
    } catch (err) {
      out.push({ path: 'uplink.mqtt.credentialsFile', message: (err as Error).message });
    }
  }
  if (out.length === 0) {
    try {
      buildConnectOptions({ config: { mqtt } as Config['uplink'], clientId: 'preflight', willTopic: 'preflight', will: { v: 1, state: 'offline', t: '', version: '' } });
    } catch (err) {
      const path = (err as { context?: { path?: unknown } }).context?.path;
      out.push({ path: typeof path === 'string' && path.startsWith('uplink') ? path : 'uplink.mqtt', message: (err as Error).message });
    }
  }
  out.push(...formatProblems(uplink));
  return out;
}

function unreadable(file: string): string | null {
  try {
    readFileSync(file);
    return null;
  } catch (err) {
    return `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/**
 * A folder the hub writes in: an existing one must be a writable directory (a problem otherwise);
 * a missing one must be creatable, but systemd creates /run/carehub and /var/lib/carehub
 * (RuntimeDirectory=, StateDirectory=) only when the service starts, so a missing folder that
 * cannot be created from here is a warning, not a problem.
 */
function folderCheck(folder: string, path: string, part: PreflightPart, add: (part: PreflightPart, path: string, message: string) => void, warnings: string[]): void {
  let existing = folder;
  while (!existsSync(existing)) {
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  let isDir = false;
  try { isDir = statSync(existing).isDirectory(); } catch { /* reported below */ }
  if (!isDir) { add(part, path, `${existing} is not a directory`); return; }
  let writable = true;
  try { accessSync(existing, constants.W_OK | constants.X_OK); } catch { writable = false; }
  if (writable) return;
  if (existing === folder) add(part, path, `folder ${folder} is not writable by this user`);
  else warnings.push(`${path}: folder ${folder} does not exist and cannot be created by this user (fine when systemd creates it)`);
}

function tcpAddressProblem(path: string): string | null {
  let u: URL;
  try {
    u = new URL(path);
  } catch {
    return `"${path}" is not a tcp://host:port address`;
  }
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port < 1 || port > 65535 || (u.pathname !== '' && u.pathname !== '/')) return `"${path}" is not a tcp://host:port address`;
  return null;
}
