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
  const storing = submitLog(log);
  const ctx: HubDriverContext = {
    device,
    hubId: deps.hubId,
    log,
    clock: deps.clock,
    timeZone: deps.timeZone,
    submit: (ms) => {
      if (ms.length > 0) owner.delivered();
      return deps.pipeline.submit(device.id, device.kind, ms).then(storing.ok, storing.failed);
    },
    linkFact: (f) => owner.report(f),
    setBattery: (pct) => deps.registry.setBattery(device.id, pct),
    setBond: (b) => deps.registry.setBond(device.id, b),
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

/**
 * A device's submits failing (the store cannot write: the store raises storage_full/_error and
 * holds what it can) are logged when they start and when they end, not once per submit. The
 * rejection still reaches the driver: a CGM must not advance its backfill cursor.
 */
function submitLog(log: Logger): { ok: () => void; failed: (err: unknown) => never } {
  let failing = 0;
  return {
    ok: () => {
      if (failing === 0) return;
      log.info({ failedSubmits: failing }, 'submits stored again');
      failing = 0;
    },
    failed: (err) => {
      if (failing++ === 0) log.warn({ err: err instanceof Error ? err.message : String(err) }, 'submit failed: not stored (further failures counted until one succeeds)');
      throw err;
    },
  };
}
