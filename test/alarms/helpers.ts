import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { Reading, ReadingFlag } from '../../src/core/reading.js';
import { alarmsSchema, type AlarmsConfig } from '../../src/alarms/config-schema.js';
import { AlarmEngine, type AlarmEngineOptions } from '../../src/alarms/engine.js';
import { MemoryPersistence } from '../../src/alarms/persistence.js';
import type { Annunciator } from '../../src/alarms/annunciators/types.js';
import type { SignalState } from '../../src/alarms/signals.js';
import type { ActiveAlarm, AlarmEvent, Priority, TechnicalCondition } from '../../src/alarms/types.js';

export const METRICS: Record<string, { intervalS: number; label: string; unit: string }> = {
  spo2: { intervalS: 1, label: 'SpO2', unit: '%' },
  pulse_rate: { intervalS: 1, label: 'Pulse', unit: '/min' },
  glucose: { intervalS: 300, label: 'Glucose', unit: 'mmol/L' },
};

/** SpO2 88 medium (15 s) / 85 high (10 s), hysteresis 1; glucose 3.9/3.0 latching; fast fall. */
export const TEST_RULES = {
  mode: 'replace',
  ackTimeoutS: 60,
  rules: {
    spo2: {
      staleAfterIntervals: 30,
      low: { levels: [{ limit: 88, priority: 'medium', delayS: 15 }, { limit: 85, priority: 'high', delayS: 10 }], hysteresis: 1, escalateAfterS: 300 },
    },
    glucose: {
      low: { levels: [{ limit: 3.9, priority: 'medium' }, { limit: 3.0, priority: 'high' }], hysteresis: 0.3, latching: true },
      high: { levels: [{ limit: 13.9, priority: 'low', delayS: 900 }] },
      rate: { windowS: 900, falling: { perMin: -0.17, priority: 'low' } },
    },
  },
};

export function rules(over: Record<string, unknown> = {}): AlarmsConfig {
  return alarmsSchema.parse({ ...TEST_RULES, ...over });
}

export class ProbeAnnunciator implements Annunciator {
  readonly name = 'probe';
  signals: SignalState[] = [];
  tests: Priority[][] = [];
  report: ((c: TechnicalCondition) => void) | undefined;
  attach(r: (c: TechnicalCondition) => void): void { this.report = r; }
  signal(s: SignalState): void { this.signals.push(s); }
  test(p: Priority[]): void { this.tests.push(p); }
  get last(): SignalState | undefined { return this.signals[this.signals.length - 1]; }
}

export interface Rig {
  clock: FakeClock;
  engine: AlarmEngine;
  probe: ProbeAnnunciator;
  events: AlarmEvent[];
  lists: ActiveAlarm[][];
  state: MemoryPersistence;
  rulesState: MemoryPersistence;
  kinds(): string[];
  read(metric: string, value: number, device?: string, flags?: ReadingFlag[]): void;
  /** Advance time by `s` seconds, sending `value` every `every` seconds (a live source). */
  stream(metric: string, value: number, s: number, every?: number, device?: string): void;
}

export function rig(opts: Partial<AlarmEngineOptions> & { clock?: FakeClock; state?: MemoryPersistence; rulesState?: MemoryPersistence } = {}): Rig {
  const clock = opts.clock ?? new FakeClock();
  const probe = new ProbeAnnunciator();
  const events: AlarmEvent[] = [];
  const lists: ActiveAlarm[][] = [];
  const state = opts.state ?? new MemoryPersistence();
  const rulesState = opts.rulesState ?? new MemoryPersistence();
  const engine = new AlarmEngine({
    rules: rules(),
    hubId: 'hub-test',
    clock,
    log: silentLogger(),
    persistence: state,
    rulesPersistence: rulesState,
    resolve: (s) => s,
    annunciators: [probe],
    metric: (n) => METRICS[n],
    onEvent: (ev) => events.push(ev),
    onActive: (l) => lists.push(l),
    ...opts,
  });
  engine.start();
  let n = 0;
  const read = (metric: string, value: number, device = metric === 'glucose' ? 'cgm-1' : 'oxi-1', flags: ReadingFlag[] = []): void => {
    const r: Reading = {
      id: `r${n++}`, device, kind: metric === 'glucose' ? 'cgm' : 'oximeter', metric, mdc: null, value,
      unit: METRICS[metric]?.unit ?? '', t: clock.now(), rx: clock.now(), clock: 'hub', flags, lane: 1,
    };
    engine.onReading(r);
  };
  return {
    clock, engine, probe, events, lists, state, rulesState, read,
    kinds: () => events.map((e) => `${e.event}:${e.condition}:${e.priority}`),
    stream: (metric, value, s, every = 1, device) => {
      for (let t = 0; t < s; t += every) {
        clock.advance(every * 1000);
        read(metric, value, device);
      }
    },
  };
}
