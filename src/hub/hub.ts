import { dirname } from 'node:path';
import type { AlarmEngine } from '../alarms/engine.js';
import { preflight, type PreflightResult } from '../config/preflight.js';
import { consoleFingerprint } from '../console/tls.js';
import { Watchdog } from '../health/watchdog.js';
import { statusLine } from '../health/status-line.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Store } from '../store/store.js';
import type { Uplink } from '../uplink/uplink.js';
import { VERSION } from '../version.js';
import type { DeviceRegistry } from './device-registry.js';
import type { DeviceRunner } from './devices.js';
import { hubHealthChecks } from './health-checks.js';
import { acquireInstanceLock } from './instance-lock.js';
import { startLocal, statusOf, type LocalOptions, type LocalParts } from './start-local.js';
import { startControlSocket, startPage, startSchedule, startUplink, type OptionalDeps } from './start-optional.js';
import type { buildStatus } from './status.js';
import { StopList } from './stop-list.js';

export { InstanceLockedError } from './instance-lock.js';

/** What local monitoring needs (start-local.ts: config, log, clock, observers, start-up conditions), plus: */
export interface HubOptions extends LocalOptions {
  /** Skip the local page and control socket (benchmarks). */
  headless?: boolean;
  /** The config file the hub was started from (the console's configuration page edits it). */
  configFile?: string;
  /**
   * Stop the hub so that its service manager starts it again (the console's restart button);
   * absent when nothing would start it again (a hub not run by systemd, the demo).
   */
  restart?: () => void;
}

/** Local monitoring could not start: the hub is not running and nothing is left behind. */
export class LocalStartError extends Error {
  constructor(cause: unknown) {
    super(`local monitoring could not start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LocalStartError';
  }
}

/**
 * The composition of one running hub. Start-up is all or degraded, never half:
 *  1. the instance lock on the store (a second hub on the same store is refused, untouched);
 *  2. local monitoring: store → alarm engine + annunciators → pipeline → drivers (start-local.ts);
 *     when any of it fails, everything started is stopped again and Hub.start throws
 *     LocalStartError;
 *  3. the control socket, the uplink, the cron jobs and the local page (start-optional.ts): each
 *     one that cannot start raises its technical alarm and the hub runs without it;
 *  4. READY to systemd, and the watchdog.
 * Stops in reverse order.
 */
export class Hub {
  readonly store: Store;
  readonly alarms: AlarmEngine;
  readonly pipeline: Pipeline;
  readonly uplink: Uplink;
  readonly registry: DeviceRegistry;
  /** What the preflight found in the config (problems put the part concerned out of service). */
  readonly checks: PreflightResult;
  pageUrl: string | null = null;
  consoleFingerprint: string | null = null;

  private constructor(private readonly o: HubOptions, private readonly parts: LocalParts, private readonly stops: StopList, checks: PreflightResult) {
    this.store = parts.store;
    this.alarms = parts.alarms;
    this.pipeline = parts.pipeline;
    this.uplink = parts.uplink;
    this.registry = parts.registry;
    this.checks = checks;
  }

  /** Throws InstanceLockedError (another hub holds the store) or LocalStartError. */
  static async start(o: HubOptions): Promise<Hub> {
    const { config, log, clock } = o;
    const checks = preflight(config);
    for (const p of checks.problems) log.error({ part: p.part, path: p.path, problem: p.message }, 'configuration problem');
    for (const w of checks.warnings) log.warn(w);

    const stops = new StopList(log);
    const lock = acquireInstanceLock(config.storage.path, log.child('lock'));
    if (lock) stops.push('instance lock', () => lock.release());
    let parts: LocalParts;
    try {
      parts = await startLocal(o, stops);
    } catch (err) {
      await stops.stopAll();
      throw new LocalStartError(err);
    }
    const hub = new Hub(o, parts, stops, checks);

    const deps: OptionalDeps = { config, log, clock, parts, checks, stops, configFile: o.configFile, restart: o.restart };
    const status = (): unknown => hub.status();
    if (!o.headless) {
      // fault injection for `carehub rig`: only on a hub whose devices include simulated ones
      const extra: Record<string, (args: Record<string, unknown>) => unknown> = {};
      if (config.devices.some((d) => d.simulate)) extra['rig.fault'] = (args) => parts.devices.faults.apply(args);
      await startControlSocket(deps, status, extra);
    }
    await startUplink(deps);
    startSchedule(deps);
    if (!o.headless) {
      hub.pageUrl = await startPage(deps, status);
      // TLS console (off loopback): technicians check this fingerprint in `carehub status`
      if (hub.pageUrl?.startsWith('https:')) hub.consoleFingerprint = consoleFingerprint(config.storage.path);
    }

    const watchdog = new Watchdog({
      clock,
      log: log.child('watchdog'),
      checks: hubHealthChecks(clock, parts.alarms, parts.store),
      status: () => statusLine({ devices: parts.registry.list(), alarms: parts.alarms.active(), backlog: parts.store.depth().total }),
    });
    void watchdog.ready();
    stops.push('watchdog', async () => { await watchdog.stop(); });
    log.info({ hub: config.hub.id, version: VERSION, devices: config.devices.length, store: dirname(config.storage.path), degraded: [...new Set(checks.problems.map((p) => p.part))] }, 'hub started');
    return hub;
  }

  status(): ReturnType<typeof buildStatus> & { console: { url: string | null; fingerprint: string | null }; ble: ReturnType<DeviceRunner['ble']> } {
    return { ...statusOf(this.parts), console: { url: this.pageUrl, fingerprint: this.consoleFingerprint }, ble: this.parts.devices.ble() };
  }

  async stop(): Promise<void> {
    await this.stops.stopAll();
    this.o.log.debug('hub stopped');
  }
}
