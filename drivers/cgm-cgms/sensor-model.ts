import type { Clock, TimerHandle } from '../../src/core/clock.js';

/**
 * The simulated sensor's physiology and record store. Pure time arithmetic on the injected
 * clock (monotonic), so a FakeClock makes hours pass in milliseconds.
 *
 * Scenarios (`speed` compresses the physiology, not the clock: a `-fast` suffix makes the
 * curve run 10× faster while records keep truthful times):
 * - `normal`: 110 mg/dL ± a slow 3-hour wave.
 * - `hypo`: from 120 mg/dL down 2.5 mg/dL/min to 55, holds 30 min, recovers; 3-hour cycle.
 *   At 1-minute interval `hypo-fast` is below 70 mg/dL (3.9 mmol/L) after about 2 minutes.
 * - `hyper`: from 140 up 3 mg/dL/min to 320, holds, comes back; 4-hour cycle.
 * - `fast-fall`: from 200 down 4 mg/dL/min to 70, recovers; 2-hour cycle.
 */
export type ScenarioName = 'normal' | 'hypo' | 'hyper' | 'fast-fall';
export interface Scenario { name: ScenarioName; speed: number }

export function parseScenario(s: string): Scenario {
  const fast = s.endsWith('-fast');
  const base = fast ? s.slice(0, -5) : s;
  const name: ScenarioName = base === 'hypo' || base === 'hyper' || base === 'fast-fall' ? base : 'normal';
  return { name, speed: fast ? 10 : 1 };
}

/** Piecewise-linear through (minute, mg/dL) points, repeating with the last point's minute. */
function cycle(points: ReadonlyArray<readonly [number, number]>, m: number): number {
  const period = points[points.length - 1]?.[0] ?? 1;
  const x = ((m % period) + period) % period;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1] ?? [0, 0];
    const [x1, y1] = points[i] ?? [0, 0];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / Math.max(1e-9, x1 - x0);
  }
  return points[0]?.[1] ?? 100;
}

/** Glucose in mg/dL at `minute` of the session (deterministic: the same minute, the same value). */
export function glucoseAt(sc: Scenario, minute: number): number {
  const m = minute * sc.speed;
  const wobble = 1.5 * Math.sin(minute * 0.7) + Math.sin(minute * 0.31);
  let base: number;
  switch (sc.name) {
    case 'hypo': base = cycle([[0, 120], [26, 55], [56, 55], [96, 115], [180, 120]], m); break;
    case 'hyper': base = cycle([[0, 140], [60, 320], [120, 320], [180, 150], [240, 140]], m); break;
    case 'fast-fall': base = cycle([[0, 200], [32, 72], [60, 70], [100, 160], [120, 200]], m); break;
    default: base = 110 + 30 * Math.sin((2 * Math.PI * m) / 180);
  }
  return Math.round((base + wobble) * 10) / 10;
}

export interface StoredRecord {
  offset: number;
  glucoseMgDl: number;
  trendMgDlMin: number;
  qualityPct: number;
  annunciation: number;
}

/** Warning-octet bits the model sets (bits 16-23 of the annunciation field). */
const W_BELOW_HYPO = 1 << 18;
const W_ABOVE_HYPER = 1 << 19;
const W_BELOW_RANGE = 1 << 22;
const W_ABOVE_RANGE = 1 << 23;
export const STATUS_SESSION_STOPPED = 1 << 0;
export const STATUS_BATTERY_LOW = 1 << 1;

/** 14 days of minutes: the store keeps records no older than this behind the newest offset. */
export const STORE_SPAN_MIN = 14 * 24 * 60;

export interface SensorModelOptions {
  clock: Clock;
  scenario: Scenario;
  intervalMin: number;
  /** Called for every new record (the simulator notifies it when a central listens). */
  onRecord?: (r: StoredRecord) => void;
}

export class SensorModel {
  readonly records: StoredRecord[] = [];
  running = false;
  intervalMin: number;
  /** 0 disables periodic notifications (records are still measured and stored). */
  notifyEnabled = true;
  batteryLow = false;
  hypoLevel = 70;
  hyperLevel = 250;
  alertLevels = new Map<number, number>();
  private startMono = 0;
  private timer: TimerHandle | undefined;

  constructor(private readonly o: SensorModelOptions) {
    this.intervalMin = o.intervalMin;
  }

  /** Minutes since the session started (0 when not running). */
  currentOffset(): number {
    return this.running ? Math.floor((this.o.clock.mono() - this.startMono) / 60_000) : 0;
  }

  /** Starts a new session: the store is cleared and offsets restart at 0. */
  startSession(): void {
    this.stopTimer();
    this.records.length = 0;
    this.running = true;
    this.startMono = this.o.clock.mono();
    this.measure();
    this.startTimer();
  }

  stopSession(): void {
    this.running = false;
    this.stopTimer();
  }

  setIntervalMin(min: number): void {
    this.intervalMin = min;
    if (this.running) { this.stopTimer(); this.startTimer(); }
  }

  status(): number {
    return (this.running ? 0 : STATUS_SESSION_STOPPED) | (this.batteryLow ? STATUS_BATTERY_LOW : 0);
  }

  /** Records matching a RACP filter, in offset order. */
  select(filter: (offset: number) => boolean): StoredRecord[] {
    return this.records.filter((r) => filter(r.offset));
  }

  stop(): void {
    this.stopTimer();
  }

  private startTimer(): void {
    this.timer = this.o.clock.setInterval(() => this.measure(), this.intervalMin * 60_000);
  }

  private stopTimer(): void {
    if (this.timer) this.o.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  private measure(): void {
    const offset = this.currentOffset();
    const last = this.records[this.records.length - 1];
    if (last && last.offset >= offset) return;
    const raw = glucoseAt(this.o.scenario, offset);
    const prev = glucoseAt(this.o.scenario, offset - 1);
    let ann = this.status();
    let g = raw;
    if (raw < 40) { g = 40; ann |= W_BELOW_RANGE; }
    if (raw > 400) { g = 400; ann |= W_ABOVE_RANGE; }
    if (g < this.hypoLevel) ann |= W_BELOW_HYPO;
    if (g > this.hyperLevel) ann |= W_ABOVE_HYPER;
    const rec: StoredRecord = {
      offset, glucoseMgDl: g, trendMgDlMin: Math.round((raw - prev) * 10) / 10, qualityPct: 95, annunciation: ann,
    };
    this.records.push(rec);
    while ((this.records[0]?.offset ?? offset) < offset - STORE_SPAN_MIN) this.records.shift();
    this.o.onRecord?.(rec);
  }
}
