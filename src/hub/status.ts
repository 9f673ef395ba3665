import type { AlarmEngine } from '../alarms/engine.js';
import type { Clock } from '../core/clock.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Store } from '../store/store.js';
import type { Uplink } from '../uplink/uplink.js';
import type { DeviceRegistry } from './device-registry.js';

export interface HubSnapshot {
  hubId: string;
  version: string;
  uptimeS: number;
  clock: Clock;
  registry: DeviceRegistry;
  store: Store;
  uplink: Uplink;
  alarms: AlarmEngine;
  pipeline: Pipeline;
  /** The real BLE stack: bindings, adapter, why chosen, adapter state (DeviceRunner.ble()); null without real BLE devices. */
  ble?: { bindings: string; adapter: string; reason: string; state: string } | null;
}

/** What `carehub status` and the local page show. */
export function buildStatus(s: HubSnapshot) {
  const st = s.store.stats();
  const up = s.uplink.stats();
  return {
    hub: s.hubId,
    version: s.version,
    uptimeS: s.uptimeS,
    clock: { synced: s.clock.synced(), now: new Date(s.clock.now()).toISOString() },
    devices: s.registry.status(),
    ble: s.ble ?? null,
    outbox: {
      depth: st.depth.total,
      byLane: { alarms: st.depth.byLane[0], clinical: st.depth.byLane[1], highRate: st.depth.byLane[2] },
      oldestUnsentAgeS: st.oldestUnsentAgeMs === null ? null : Math.round(st.oldestUnsentAgeMs / 1000),
      bytesUsed: st.bytesUsed,
      maxBytes: st.maxBytes,
      evicted: st.evicted,
    },
    storage: st.storage,
    uplink: { state: up.state, reconnects: up.reconnects, ackedRows: up.ackedRows, lastAckAt: up.lastAckAt === null ? null : new Date(up.lastAckAt).toISOString(), lastError: up.lastError, disconnectedForS: up.disconnectedForMs === null ? null : Math.round(up.disconnectedForMs / 1000) },
    alarms: s.alarms.active(),
    pipeline: s.pipeline.allCounts(),
  };
}

/** The periodic `health` payload (contract §3). */
export function buildHealth(s: HubSnapshot): Record<string, unknown> {
  const st = s.store.stats();
  const up = s.uplink.stats();
  const mem = process.memoryUsage();
  return {
    uptime_s: s.uptimeS,
    rss_mb: Math.round((mem.rss / 1024 / 1024) * 10) / 10,
    outbox_depth: st.depth.total,
    outbox_oldest_unsent_s: st.oldestUnsentAgeMs === null ? null : Math.round(st.oldestUnsentAgeMs / 1000),
    disk_budget_used_pct: Math.round((st.bytesUsed / st.maxBytes) * 1000) / 10,
    clock: s.clock.synced() ? 'synced' : 'unsynced',
    reconnects: up.reconnects,
    rejected_frames: s.registry.rejectedCounts(),
    active_alarms: s.alarms.active().length,
    storage: st.storage,
    alarm_engine_faults: s.alarms.faultCount,
  };
}
