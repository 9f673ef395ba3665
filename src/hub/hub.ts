import { dirname } from 'node:path';
import cron from 'node-cron';
import { AlarmEngine } from '../alarms/engine.js';
import { resolveAlarms } from '../alarms/defaults.js';
import { createAnnunciators } from '../alarms/annunciators/index.js';
import { alarmControlHandlers } from '../alarms/control-handlers.js';
import { UplinkWatch } from '../alarms/uplink-watch.js';
import type { ActiveAlarm, AlarmEvent } from '../alarms/types.js';
import { parseByteSize, type Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Reading } from '../core/reading.js';
import { createControlServer } from '../control/server.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { Store } from '../store/store.js';
import { Uplink } from '../uplink/uplink.js';
import { VERSION } from '../version.js';
import { DeviceRegistry } from './device-registry.js';
import { DeviceRunner } from './devices.js';
import { startLocalPage } from './local-page.js';
import { buildHealth, buildStatus } from './status.js';
import { Watchdog } from '../health/watchdog.js';

export interface HubOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  /** Observers for the terminal view. */
  onReading?(r: Reading): void;
  onAlarmEvent?(ev: AlarmEvent): void;
  /** Skip the local page and control socket (benchmarks). */
  headless?: boolean;
}

/**
 * The composition of one running hub: store → alarms → pipeline → uplink → devices, plus the
 * local page, the control socket and the periodic jobs. Stops in reverse order.
 */
export class Hub {
  readonly store: Store;
  readonly alarms: AlarmEngine;
  readonly pipeline: Pipeline;
  readonly uplink: Uplink;
  readonly registry: DeviceRegistry;
  private readonly devices: DeviceRunner;
  private readonly startedAt: number;
  private readonly stops: Array<() => Promise<void> | void> = [];
  pageUrl: string | null = null;

  private constructor(private readonly o: HubOptions) {
    const { config, log, clock } = o;
    this.startedAt = clock.mono();
    this.registry = new DeviceRegistry(config.devices, clock, log.child('devices'));
    let engine: AlarmEngine | undefined;
    this.store = Store.open({
      path: config.storage.path,
      maxBytes: parseByteSize(config.storage.maxBytes),
      retainSentHours: config.storage.retainSentHours,
      log,
      clock,
      onTechnical: (c) => (engine ? engine.technical(c) : pendingTechnical.push(c)),
    });
    const pendingTechnical: Parameters<AlarmEngine['technical']>[0][] = [];
    this.uplink = new Uplink({
      config: config.uplink,
      hubId: config.hub.id,
      version: VERSION,
      outbox: this.store,
      log,
      clock,
      healthProvider: () => buildHealth(this.snapshot()),
    });
    engine = new AlarmEngine({
      rules: resolveAlarms(config.alarms),
      hubId: config.hub.id,
      clock,
      log,
      persistence: { load: () => this.store.kvGet('alarms.state'), save: (json) => this.store.kvSet('alarms.state', json) },
      rulesPersistence: { load: () => this.store.kvGet('alarms.rules'), save: (json) => this.store.kvSet('alarms.rules', json) },
      annunciators: createAnnunciators(config.local, log, (c) => engine?.technical(c)),
      onEvent: (ev) => this.onAlarmEvent(ev),
      onActive: (list: ActiveAlarm[]) => this.uplink.setActiveAlarms(list),
    });
    this.alarms = engine;
    for (const c of pendingTechnical) engine.technical(c);
    this.pipeline = new Pipeline({
      clock,
      log: log.child('pipeline'),
      alarms: engine,
      sink: this.store,
      onStored: () => this.uplink.kick(),
      onAccepted: (r) => { this.registry.seen(r); o.onReading?.(r); },
      onRejected: (device, _metric, reason) => this.registry.reject(device, `implausible:${reason}`),
    });
    this.devices = new DeviceRunner(log.child('hub'), clock);
    this.registry.onChange((list) => this.uplink.setDevices(list));
  }

  static async start(o: HubOptions): Promise<Hub> {
    const hub = new Hub(o);
    await hub.startParts();
    return hub;
  }

  private async startParts(): Promise<void> {
    const { config, log, clock } = this.o;
    this.alarms.start();
    this.stops.push(() => this.alarms.stop());
    const watch = new UplinkWatch({ clock, minutes: this.alarms.rules().uplinkDownMinutes, technical: (c) => this.alarms.technical(c) });
    this.uplink.onState((s) => watch.update(s));
    watch.update(this.uplink.state());
    this.stops.push(() => watch.stop());
    this.uplink.registerCommand('alarm-rules', ...this.alarms.ruleCommand());
    this.uplink.setDevices(this.registry.list());
    this.uplink.setActiveAlarms(this.alarms.active());
    await this.uplink.start();
    this.stops.push(() => this.uplink.stop());

    if (!clock.synced()) this.alarms.technical({ code: 'clock_unsynced', active: true, text: 'The hub clock is not synchronised; readings carry clock "unsynced"' });
    const clockTimer = clock.setInterval(() => this.alarms.technical({ code: 'clock_unsynced', active: !clock.synced(), text: clock.synced() ? 'Hub clock synchronised' : 'The hub clock is not synchronised' }), 60_000);
    this.stops.push(() => clock.clearInterval(clockTimer));

    await this.devices.start(config.devices, { hubId: config.hub.id, clock, log, pipeline: this.pipeline, alarms: this.alarms, registry: this.registry, store: this.store });
    this.stops.push(() => this.devices.stop());

    const jobs = [
      cron.schedule(config.schedule.housekeeping, () => { this.store.housekeeping(); }, { timezone: config.hub.timezone }),
    ];
    this.stops.push(() => { for (const j of jobs) void j.stop(); });

    if (!this.o.headless) {
      const server = await createControlServer({
        path: config.local.controlSocket,
        log,
        handlers: {
          status: async () => this.status(),
          ...alarmControlHandlers(this.alarms),
          // fault injection for `carehub rig`: only on a hub whose devices include simulated ones
          ...(config.devices.some((d) => d.simulate) ? { 'rig.fault': (args: Record<string, unknown>) => this.devices.faults.apply(args) } : {}),
        },
      });
      this.stops.push(() => server.close());
      try {
        const page = await startLocalPage({ bind: config.local.pageBind, port: config.local.pagePort, log: log.child('page'), status: () => this.status() });
        this.pageUrl = page.url;
        this.stops.push(() => page.close());
      } catch (err) {
        log.warn({ err: (err as Error).message, port: config.local.pagePort }, 'local page not started');
      }
    }
    const watchdog = new Watchdog({
      clock,
      log: log.child('watchdog'),
      checks: [
        () => (clock.mono() - this.alarms.lastTickMono > 5000 ? 'alarm engine has not evaluated for more than 5 s' : null),
        () => { try { this.store.depth(); return null; } catch (err) { return `store: ${(err as Error).message}`; } },
      ],
    });
    watchdog.ready();
    this.stops.push(() => watchdog.stop());
    log.info({ hub: config.hub.id, version: VERSION, devices: config.devices.length, store: dirname(config.storage.path) }, 'hub started');
  }

  private onAlarmEvent(ev: AlarmEvent): void {
    this.store.addAlarmEvent(ev);
    this.uplink.kick();
    this.o.onAlarmEvent?.(ev);
  }

  private snapshot(): Parameters<typeof buildStatus>[0] {
    return {
      hubId: this.o.config.hub.id,
      version: VERSION,
      uptimeS: Math.round((this.o.clock.mono() - this.startedAt) / 1000),
      clock: this.o.clock,
      registry: this.registry,
      store: this.store,
      uplink: this.uplink,
      alarms: this.alarms,
      pipeline: this.pipeline,
    };
  }

  status(): ReturnType<typeof buildStatus> {
    return buildStatus(this.snapshot());
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, 'error while stopping');
      }
    }
    this.stops.length = 0;
    this.store.close();
  }
}
