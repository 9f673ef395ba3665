import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import type { Lane, Reading } from '../../src/core/reading.js';
import type { AlarmEvent, TechnicalCondition } from '../../src/alarms/types.js';
import { Store, type StoreOptions } from '../../src/store/store.js';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function reading(n: number, over: Partial<Reading> = {}): Reading {
  const t = Date.UTC(2026, 10, 23, 10, 0, 0) + n * 1000;
  return {
    id: `rid-${n}`, device: 'oxi-1', kind: 'oximeter', metric: 'spo2', mdc: 150456, value: 97, unit: '%',
    t, rx: t + 120, clock: 'device', flags: [], lane: 1, ...over,
  };
}

export function readings(from: number, count: number, over: Partial<Reading> = {}): Reading[] {
  return Array.from({ length: count }, (_, i) => reading(from + i, over));
}

export function alarmEvent(n: number, over: Partial<AlarmEvent> = {}): AlarmEvent {
  return {
    v: 1, hub: 'hub-0001', id: `ev-${n}`, alarm: `al-${n}`, event: 'raised', priority: 'high', category: 'physiological',
    condition: 'spo2_low', device: 'oxi-1', metric: 'spo2', value: 85, limit: 88,
    t: new Date(Date.UTC(2026, 10, 23, 10, 0, 0) + n * 1000).toISOString(), text: 'SpO2 85 % below 88 % for 15 s', ...over,
  };
}

export interface Harness {
  path: string;
  clock: FakeClock;
  conditions: TechnicalCondition[];
  open(over?: Partial<StoreOptions>): Store;
}

export function harness(dir: string, log: Logger = silentLogger()): Harness {
  const clock = new FakeClock();
  const conditions: TechnicalCondition[] = [];
  const path = join(dir, 'sub', 'carehub.db');
  return {
    path, clock, conditions,
    open: (over = {}) => Store.open({
      path, maxBytes: 64 * 1024 * 1024, retainSentHours: 72, log, clock,
      onTechnical: (c) => conditions.push(c), ...over,
    }),
  };
}

export function idsOf(store: Store, lane: Lane): string[] {
  return store.pending(lane, 0, 1_000_000).map((r) => (JSON.parse(r.payload) as { id: string }).id);
}
