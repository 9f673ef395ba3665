import { join } from 'node:path';
import { AlarmEngine } from '../../src/alarms/engine.js';
import { alarmsSchema } from '../../src/alarms/config-schema.js';
import { resolveAlarms } from '../../src/alarms/defaults.js';
import type { AlarmEvent, TechnicalCondition } from '../../src/alarms/types.js';
import type { Logger } from '../../src/core/log.js';
import type { Reading } from '../../src/core/reading.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Store, type StoreOptions } from '../../src/store/store.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { uplinkConfig } from '../uplink/util.js';

/**
 * The hub's storage-facing parts, wired as src/hub/hub.ts wires them: a real Store on a real
 * file, the real AlarmEngine (store technical conditions go to it; its events go to the store,
 * then the uplink), the real Pipeline (alarm check first, then the group commit), and the real
 * Uplink to a real broker. SpO2 below 90 % raises `spo2_low` (high) at once.
 */
export interface FaultRig {
  store: Store;
  engine: AlarmEngine;
  pipeline: Pipeline;
  uplink: Uplink | null;
  /** Every alarm event the engine produced, in order (what the local annunciators saw). */
  localEvents: AlarmEvent[];
  /** Every technical condition the store reported. */
  conditions: TechnicalCondition[];
  /** Every reading the pipeline accepted. */
  accepted: Reading[];
  /** `count` SpO2 measurements of `value` from oxi-1 through the pipeline (alarm check, then store). */
  spo2(value: number, count?: number): Promise<void>;
  activeCodes(): string[];
  stop(): Promise<void>;
}

export interface FaultRigOptions {
  dir: string;
  hubId: string;
  log: Logger;
  brokerUrl?: string;
  protocolVersion?: 4 | 5;
  store?: Partial<StoreOptions>;
}

export async function startFaultRig(o: FaultRigOptions): Promise<FaultRig> {
  const clock = new SystemClock(true);
  const localEvents: AlarmEvent[] = [];
  const conditions: TechnicalCondition[] = [];
  const accepted: Reading[] = [];
  let engine: AlarmEngine | undefined;
  const early: TechnicalCondition[] = [];
  const store = Store.open({
    path: join(o.dir, 'carehub.db'), maxBytes: 64 * 1024 ** 2, retainSentHours: 0, log: o.log, clock, retryMs: 500,
    onTechnical: (c) => { conditions.push(c); if (engine) engine.technical(c); else early.push(c); },
    ...o.store,
  });
  const uplink = o.brokerUrl
    ? new Uplink({ config: uplinkConfig({ url: o.brokerUrl, protocolVersion: o.protocolVersion ?? 5, reconnectMinMs: 200, reconnectMaxMs: 1000 }, { batchMaxDelayMs: 50 }), hubId: o.hubId, version: 't', outbox: store, log: o.log, clock })
    : null;
  const rules = resolveAlarms(alarmsSchema.parse({ rules: { spo2: { low: { levels: [{ limit: 90, priority: 'high', delayS: 0 }] } } } }));
  engine = new AlarmEngine({
    rules, hubId: o.hubId, clock, log: o.log, annunciators: [],
    persistence: { load: () => store.kvGet('alarms.state'), save: (json) => store.kvSet('alarms.state', json) },
    onEvent: (ev) => { localEvents.push(ev); store.addAlarmEvent(ev); uplink?.kick(); },
    onActive: (list) => uplink?.setActiveAlarms(list),
  });
  engine.start();
  for (const c of early) engine.technical(c);
  const pipeline = new Pipeline({ clock, log: o.log, alarms: engine, sink: store, onStored: () => uplink?.kick(), onAccepted: (r) => accepted.push(r) });
  if (uplink) await uplink.start();
  const e = engine;
  let seq = 0;
  return {
    store, engine: e, pipeline, uplink, localEvents, conditions, accepted,
    spo2: (value, count = 1) => pipeline.submit('oxi-1', 'oximeter', Array.from({ length: count }, () => ({ metric: 'spo2', value, key: `k${++seq}` }))),
    activeCodes: () => e.active().map((a) => a.condition),
    stop: async () => {
      await uplink?.stop();
      e.stop();
      store.close();
    },
  };
}
