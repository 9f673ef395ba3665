import type { DriverContext, LinkState } from '../../drivers/types.js';
import type { AlarmInputs } from '../alarms/types.js';
import type { DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Store } from '../store/store.js';
import type { BleCentral } from '../transport/ble/types.js';
import type { DeviceRegistry } from './device-registry.js';

export interface DriverContextDeps {
  hubId: string;
  clock: Clock;
  log: Logger;
  pipeline: Pipeline;
  alarms: AlarmInputs;
  registry: DeviceRegistry;
  store: Store;
  ble?: BleCentral;
  serialPath?: string;
}

/** The DriverContext of one device: every effect of a driver goes through the hub's parts. */
export function makeDriverContext(device: DeviceConfig, deps: DriverContextDeps): DriverContext {
  const log = deps.log.child(`driver:${device.id}`);
  const ctx: DriverContext = {
    device,
    hubId: deps.hubId,
    log,
    clock: deps.clock,
    submit: (ms) => deps.pipeline.submit(device.id, device.kind, ms),
    setLink: (state: LinkState, detail?: string) => {
      deps.registry.setLink(device.id, state, detail);
      deps.alarms.technical({
        code: 'link_lost', device: device.id, active: state === 'lost', priority: 'medium',
        text: state === 'lost' ? `${device.id}: no link to the device${detail ? ` (${detail})` : ''}` : `${device.id}: link restored`,
      });
    },
    setBattery: (pct) => deps.registry.setBattery(device.id, pct),
    reject: (r) => {
      deps.registry.reject(device.id, r.reason);
      log.debug({ reason: r.reason, at: r.at, where: r.where, hex: r.hex }, 'frame rejected');
    },
    technical: (c) => deps.alarms.technical({ ...c, device: device.id }),
    deviceAlarm: (a) => deps.alarms.deviceAlarm(device.id, a),
    state: deps.store.deviceState(device.id),
  };
  if (deps.ble) ctx.ble = deps.ble;
  if (deps.serialPath) ctx.serialPath = deps.serialPath;
  return ctx;
}
