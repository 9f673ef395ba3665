import type { DriverContext } from '../../drivers/types.js';
import type { AlarmInputs } from '../alarms/types.js';
import type { DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Store } from '../store/store.js';
import type { BleCentral } from '../transport/ble/types.js';
import type { DeviceRegistry } from './device-registry.js';
import { LinkOwner } from './link-owner.js';

export interface DriverContextDeps {
  hubId: string;
  clock: Clock;
  log: Logger;
  /** The hub's IANA time zone, already validated (start-local falls back to 'UTC'). */
  timeZone: string;
  pipeline: Pipeline;
  alarms: AlarmInputs;
  registry: DeviceRegistry;
  store: Store;
  ble?: BleCentral;
  serialPath?: string;
}

/** The DriverContext the hub hands to a driver, plus what only the hub may call. */
export interface HubDriverContext extends DriverContext {
  /** The session is over (hub stopping): the link owner stops its timers and reports. */
  close(): void;
}

/**
 * The DriverContext of one device: every effect of a driver goes through the hub's parts. The
 * link state and `link_lost` belong to the device's LinkOwner, fed by the driver's link facts
 * and by every delivery of data.
 */
export function makeDriverContext(device: DeviceConfig, deps: DriverContextDeps): HubDriverContext {
  const log = deps.log.child(`driver:${device.id}`);
  const owner = new LinkOwner({
    device: { id: device.id, kind: device.kind },
    clock: deps.clock,
    setLink: (state, detail) => deps.registry.setLink(device.id, state, detail),
    alarms: deps.alarms,
  });
  const ctx: HubDriverContext = {
    device,
    hubId: deps.hubId,
    log,
    clock: deps.clock,
    timeZone: deps.timeZone,
    submit: (ms) => {
      if (ms.length > 0) owner.delivered();
      return deps.pipeline.submit(device.id, device.kind, ms);
    },
    linkFact: (f) => owner.report(f),
    setBattery: (pct) => deps.registry.setBattery(device.id, pct),
    reject: (r) => {
      deps.registry.reject(device.id, r.reason);
      log.debug({ reason: r.reason, at: r.at, where: r.where, hex: r.hex }, 'frame rejected');
    },
    technical: (c) => deps.alarms.technical({ ...c, device: device.id, kind: device.kind }),
    deviceAlarm: (a) => deps.alarms.deviceAlarm(device.id, a),
    state: deps.store.deviceState(device.id),
    close: () => owner.close(),
  };
  if (deps.ble) ctx.ble = deps.ble;
  if (deps.serialPath) ctx.serialPath = deps.serialPath;
  return ctx;
}
