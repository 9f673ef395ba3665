import { AlarmEngine } from '../alarms/engine.js';
import { resolveAlarms } from '../alarms/defaults.js';
import { createAnnunciators } from '../alarms/annunciators/index.js';
import type { AlarmEvent, TechnicalCondition } from '../alarms/types.js';
import { timeZoneProblem } from '../config/preflight.js';
import { parseByteSize, type Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Reading } from '../core/reading.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { Store } from '../store/store.js';
import { Uplink } from '../uplink/uplink.js';
import { VERSION } from '../version.js';
import { WaveformTap } from './waveform-tap.js';
import { DeviceRegistry } from './device-registry.js';
import { DeviceRunner } from './devices.js';
import { buildHealth, buildStatus, type HubSnapshot } from './status.js';
import type { StopList } from './stop-list.js';

export interface LocalOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  onReading?(r: Reading): void;
  onAlarmEvent?(ev: AlarmEvent): void;
  /** Raised (or cleared) as soon as the alarm engine exists, e.g. `config_invalid` from run. */
  startupConditions?: readonly TechnicalCondition[];
}

/** The parts that monitor the patient locally, without any network. */
export interface LocalParts {
  store: Store;
  alarms: AlarmEngine;
  pipeline: Pipeline;
  /** Built (it is the outbox's consumer and shows in status) but not started: that is optional. */
  uplink: Uplink;
  registry: DeviceRegistry;
  devices: DeviceRunner;
  /** The last seconds of forwarded waveforms, for the console's live view. */
  waves: WaveformTap;
  snapshot(): HubSnapshot;
}

const CLOCK_CHECK_MS = 60_000;

/**
 * Local monitoring, in order: store → alarm engine with its annunciators → pipeline → drivers.
 * Everything started is registered in `stops`; an exception here means the hub cannot monitor,
 * and the caller stops what was started and gives up (run then annunciates and exits).
 */
export async function startLocal(o: LocalOptions, stops: StopList): Promise<LocalParts> {
  const { config, log, clock } = o;
  const startedAt = clock.mono();
  const registry = new DeviceRegistry(config.devices, clock, log.child('devices'));

  // Conditions reported before the engine exists (the store's corrupt-file recovery at open)
  // wait here and are raised as soon as it does.
  const pending: TechnicalCondition[] = [];
  let engine: AlarmEngine | undefined;
  const technical = (c: TechnicalCondition): void => { if (engine) engine.technical(c); else pending.push(c); };

  const store = Store.open({
    path: config.storage.path,
    maxBytes: parseByteSize(config.storage.maxBytes),
    retainSentHours: config.storage.retainSentHours,
    log,
    clock,
    onTechnical: technical,
  });
  stops.push('store', () => store.close());

  const snapshot = (): HubSnapshot => ({
    hubId: config.hub.id,
    version: VERSION,
    uptimeS: Math.round((clock.mono() - startedAt) / 1000),
    clock,
    registry,
    store,
    uplink,
    alarms,
    pipeline,
  });
  const uplink = new Uplink({
    config: config.uplink,
    hubId: config.hub.id,
    devices: config.devices,
    version: VERSION,
    outbox: store,
    log,
    clock,
    healthProvider: () => buildHealth(snapshot()),
    onTechnical: technical,
  });
  const alarms = new AlarmEngine({
    rules: resolveAlarms(config.alarms),
    hubId: config.hub.id,
    devices: config.devices.map((d) => d.id),
    clock,
    log,
    persistence: { load: () => store.kvGet('alarms.state'), save: (json) => store.kvSet('alarms.state', json) },
    rulesPersistence: { load: () => store.kvGet('alarms.rules'), save: (json) => store.kvSet('alarms.rules', json) },
    annunciators: createAnnunciators(config.local, log, technical),
    onEvent: (ev) => {
      store.addAlarmEvent(ev); // stored rows wake the uplink through store.onAppend below
      o.onAlarmEvent?.(ev);
    },
    onActive: (list) => uplink.setActiveAlarms(list),
  });
  engine = alarms;
  for (const c of pending.splice(0)) alarms.technical(c);
  for (const c of o.startupConditions ?? []) alarms.technical(c);
  alarms.start();
  stops.push('alarm engine', () => alarms.stop());

  const clockCondition = (): TechnicalCondition => (clock.synced()
    ? { code: 'clock_unsynced', active: false, text: 'Hub clock synchronised' }
    : { code: 'clock_unsynced', active: true, text: 'The hub clock is not synchronised; readings carry clock "unsynced"' });
  if (!clock.synced()) alarms.technical(clockCondition());
  const clockTimer = clock.setInterval(() => alarms.technical(clockCondition()), CLOCK_CHECK_MS);
  stops.push('clock check', () => clock.clearInterval(clockTimer));

  const waves = new WaveformTap();
  const pipeline = new Pipeline({
    clock,
    log: log.child('pipeline'),
    alarms,
    sink: store,
    timeSuspect: config.hub.timeSuspect,
    onAccepted: (r) => { registry.seen(r); waves.offer(r); o.onReading?.(r); },
    onRejected: (device, _metric, reason) => registry.reject(device, `implausible:${reason}`),
  });
  registry.onChange((list) => uplink.setDevices(list));
  // every stored row wakes the uplink, including held data the store writes on its own after a fault
  const offAppend = store.onAppend(() => uplink.kick());
  stops.push('store append listener', offAppend);

  const devices = new DeviceRunner(log.child('hub'), clock);
  stops.push('devices', () => devices.stop());
  // Devices that keep local wall time (PLXS spot-checks) are read in hub.timezone; an unknown zone
  // falls back to UTC here, and startSchedule already raises `schedule_unavailable` naming it.
  const timeZone = timeZoneProblem(config.hub.timezone) === null ? config.hub.timezone : 'UTC';
  await devices.start(config.devices, { hubId: config.hub.id, clock, log, timeZone, pipeline, alarms, registry, store }, config.ble);

  return { store, alarms, pipeline, uplink, registry, devices, waves, snapshot };
}

/** Status for `carehub status` and the local page. */
export function statusOf(parts: LocalParts): ReturnType<typeof buildStatus> {
  return buildStatus(parts.snapshot());
}
