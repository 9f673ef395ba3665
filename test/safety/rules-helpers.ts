import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAnnunciator } from '../../src/alarms/annunciators/console.js';
import { resolveAlarms } from '../../src/alarms/defaults.js';
import { AlarmEngine } from '../../src/alarms/engine.js';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { FakeClock, type Clock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import type { Reading } from '../../src/core/reading.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Store } from '../../src/store/store.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { uplinkConfig } from '../uplink/util.js';

/**
 * The alarm side of a hub against a real broker, wired as src/hub/hub.ts wires it: a real Store
 * (rules and alarm state in its kv), the AlarmEngine with the shipped defaults and floor, a console
 * annunciator, and the Uplink with `cmd/alarm-rules` registered and `alarms/rules` published on
 * every change. The engine runs on a FakeClock (desaturations in fake seconds); the uplink on the
 * system clock (iat ages, rate limits).
 */
export interface MiniHub {
  engine: AlarmEngine;
  uplink: Uplink;
  store: Store;
  clock: FakeClock;
  /** The engine's clock: the FakeClock, or `engineClock` when given. */
  engineClock: Clock;
  console: string[];
  events: AlarmEvent[];
  spo2(value: number, seconds?: number): void;
  stop(): Promise<void>;
}

export async function startMiniHub(o: { url: string; hub: string; protocolVersion: 4 | 5; dir: string; commandKey?: string; commandMaxAgeS?: number; credentialsFile?: string; log?: Logger; engineClock?: Clock }): Promise<MiniHub> {
  const log = o.log ?? silentLogger();
  const store = Store.open({ path: join(o.dir, 'carehub.db'), maxBytes: 1024 ** 3, retainSentHours: 0, log, clock: new SystemClock(true), onTechnical: () => {} });
  const clock = new FakeClock(Date.now());
  const consoleLines: string[] = [];
  const events: AlarmEvent[] = [];
  const uplink = new Uplink({
    config: uplinkConfig({ url: o.url, protocolVersion: o.protocolVersion, ...(o.credentialsFile ? { credentialsFile: o.credentialsFile } : {}) }, { ...(o.commandKey ? { commandKey: o.commandKey } : {}), ...(o.commandMaxAgeS ? { commandMaxAgeS: o.commandMaxAgeS } : {}) }),
    hubId: o.hub, version: 't', outbox: store, log, clock: new SystemClock(true),
  });
  const engine = new AlarmEngine({
    rules: resolveAlarms(undefined), hubId: o.hub, clock: o.engineClock ?? clock, log,
    persistence: { load: () => store.kvGet('alarms.state'), save: (j) => store.kvSet('alarms.state', j) },
    rulesPersistence: { load: () => store.kvGet('alarms.rules'), save: (j) => store.kvSet('alarms.rules', j) },
    annunciators: [new ConsoleAnnunciator({ log, out: (l) => consoleLines.push(l) })],
    onEvent: (ev) => events.push(ev),
    onActive: (l) => uplink.setActiveAlarms(l),
  });
  // the wiring the hub needs (reported to the lead for src/hub/hub.ts)
  engine.onRulesChange((info) => uplink.setAlarmRules(info));
  uplink.setAlarmRules(engine.rulesInForce());
  uplink.registerCommand('alarm-rules', ...engine.ruleCommand());
  engine.start();
  await uplink.start();
  let n = 0;
  let stopped = false;
  const read = (value: number): void => {
    const r: Reading = { id: `r${n++}`, device: 'oxi-1', kind: 'oximeter', metric: 'spo2', mdc: 150456, value, unit: '%', t: clock.now(), rx: clock.now(), clock: 'hub', flags: [], lane: 1 };
    engine.onReading(r);
  };
  return {
    engine, uplink, store, clock, engineClock: o.engineClock ?? clock, console: consoleLines, events,
    spo2: (value, seconds = 1) => { for (let i = 0; i < seconds; i++) { clock.advance(1000); read(value); } },
    stop: async () => { if (stopped) return; stopped = true; await uplink.stop(); engine.stop(); store.close(); },
  };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
