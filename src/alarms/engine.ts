import type { TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { metricSpec } from '../core/metrics/index.js';
import type { Reading } from '../core/reading.js';
import { compareAlarms, fmt, higher, newAlarmId, SEVERITY, stepUp, toActive, toEvent, type AlarmInstance } from './condition.js';
import { AlarmOutputs } from './outputs.js';
import { EngineFaults, type FaultSite } from './engine-fault.js';
import type { AlarmsConfig, MetricRule } from './config-schema.js';
import { resolveAlarms } from './defaults.js';
import { serializeState } from './persistence.js';
import type { AlarmEngineOptions, Assertion, MetricInfo } from './engine-options.js';
import { adaptSources, carryOver, restoreState } from './engine-state.js';
import { alarmRulesCommand, type AlarmRulesCommand } from './rules-command.js';
import { addRateSample } from './rate-rule.js';
import { addChangeSample, changeAt, newChangeState, type ChangeState } from './change-rule.js';
import { RulesStore, type RuleChange, type RulesInForce, type RulesResult } from './rules-store.js';
import { AudioSignals } from './signals.js';
import { StaleWatch, type Source } from './stale-watch.js';
import { deviceAlarmCategory, deviceConditionName, technicalPriority } from './technical-catalogue.js';
import { dropPending, evaluateThreshold, levelPriority, type Direction } from './threshold-rule.js';
import type { ActiveAlarm, AlarmEventKind, AlarmInputs, DeviceAlarm, Priority, TechnicalCondition } from './types.js';

export type { AlarmEngineOptions, MetricInfo } from './engine-options.js';

/** Restored technical and device alarms not reported again within this time are cleared. */
export const RESTORE_GRACE_MS = 120_000;
const TICK_MS = 1000;

/**
 * The alarm engine, in IEC 60601-1-8 terms: alarm conditions (thresholds with levels and delay,
 * rate of change, stale data, technical and device conditions) kept apart from alarm signals
 * (signals.ts). All timing runs on the monotonic clock. Every input is handled synchronously:
 * annunciators first, then the onEvent/onActive callbacks, persistence after (deferred).
 */
export class AlarmEngine implements AlarmInputs {
  private readonly alarms = new Map<string, AlarmInstance>();
  private readonly watch = new StaleWatch();
  /** History of `change` rules per device|metric (bounded, src/alarms/change-rule.ts). */
  private readonly changes = new Map<string, ChangeState>();
  private readonly signals = new AudioSignals();
  private readonly rulesStore: RulesStore;
  private readonly log: Logger;
  private readonly startMono: number;
  private ruleSet: AlarmsConfig;
  private readonly out: AlarmOutputs;
  private readonly metricInfo: (name: string) => MetricInfo | undefined;
  private depth = 0;
  private committing = false;
  private deferred: TechnicalCondition[] = [];
  private timer: TimerHandle | undefined;
  private recarry = false;
  private readonly faults: EngineFaults;

  constructor(private readonly opts: AlarmEngineOptions) {
    this.log = opts.log.child('alarms');
    this.faults = new EngineFaults(this.log);
    this.metricInfo = opts.metric ? (n) => opts.metric!(n) : (n) => metricSpec(n);
    this.rulesStore = new RulesStore({ configured: opts.rules, resolve: opts.resolve ?? ((s) => resolveAlarms(s)), persistence: opts.rulesPersistence, log: this.log, now: () => opts.clock.now() });
    this.ruleSet = this.rulesStore.current;
    this.startMono = opts.clock.mono();
    const persistence = opts.persistence;
    const save = persistence ? () => persistence.save(serializeState(opts.clock.mono(), this.alarms.values(), this.watch.all())) : undefined;
    this.out = new AlarmOutputs({ annunciators: opts.annunciators, onEvent: opts.onEvent, onActive: opts.onActive, save }, this.log);
    this.restore();
  }

  /**
   * Attaches the annunciators (they may report their own failures from now on), drives the
   * signals and the active list (restored alarms included, without new 'raised' events), and
   * starts the 1 s tick (delays, stale data, escalation, ack timeouts).
   */
  start(): void {
    if (this.timer) return;
    for (const a of this.opts.annunciators) this.out.guard(a.name, () => a.attach?.((c) => this.technical(c)));
    this.timer = this.opts.clock.setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.onFault('tick', err);
      }
    }, TICK_MS);
    this.timer.unref?.();
    this.run(() => this.out.changed());
  }

  stop(): void {
    if (this.timer) this.opts.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    for (const a of this.opts.annunciators) this.out.guard(a.name, () => a.stop?.());
  }

  get rulesVersion(): number { return this.rulesStore.version; }
  /** The rule set in force (without parts kept only until their alarms end, see carryOver). */
  rules(): AlarmsConfig { return this.rulesStore.current; }
  /** The set in force with its version, source and who set it (retained `alarms/rules`). */
  rulesInForce(): RulesInForce { return this.rulesStore.info(); }
  /** The bounded history of accepted rule changes. */
  ruleChanges(): readonly RuleChange[] { return this.rulesStore.changes; }
  /** Called after every accepted rule change (the hub publishes `alarms/rules`). */
  onRulesChange(fn: (info: RulesInForce, change: RuleChange) => void): () => void { return this.rulesStore.onChange(fn); }
  /** The `cmd/alarm-rules` command as [schema, handler] for the uplink's registerCommand. */
  ruleCommand(): AlarmRulesCommand { return alarmRulesCommand(this); }
  pausedForS(): number { return this.signals.remainingS(this.opts.clock.mono()); }

  onReading(r: Reading): void {
    try {
      this.evaluateReading(r);
    } catch (err) {
      this.onFault('reading', err);
    }
  }

  private onFault(site: FaultSite, err: unknown): void {
    const c = this.faults.note(site, err, this.opts.clock.mono());
    try {
      this.technical(c);
    } catch (e) {
      this.log.fatal({ err: (e as Error).message }, 'alarm engine cannot raise its own fault');
    }
  }

  /** Evaluation faults caught so far (health). */
  get faultCount(): number { return this.faults.count; }

  private evaluateReading(r: Reading): void {
    const rule = this.ruleSet.rules[r.metric];
    if (!rule || !rule.enabled) return;
    // Change over days (by measurement time): stored readings are history for it, not alarms.
    if (rule.change && !r.flags.includes('invalid')) this.run(() => this.evaluateChange(r, rule));
    // A backfilled ('stored') or invalid value is not live data: it neither alarms nor keeps the source fresh.
    if (r.flags.length > 0 && (r.flags.includes('stored') || r.flags.includes('invalid'))) return;
    this.run(() => {
      const now = this.opts.clock.mono();
      const src = this.watch.get(r.device, r.metric, now);
      if (this.watch.fresh(src, now, r.value)) this.setTechnical({ code: 'stale_data', device: r.device, metric: r.metric, active: false, text: `${this.label(r.metric)}: data from ${r.device} again` });
      this.evaluate(src, rule, r.value, now, true);
    });
  }

  technical(c: TechnicalCondition): void {
    if (this.depth > 0 || this.committing) { this.deferred.push(c); return; }
    this.run(() => this.setTechnical(c));
  }

  deviceAlarm(device: string, a: DeviceAlarm): void {
    this.run(() => {
      const condition = deviceConditionName(a.code);
      const key = `${condition}|${device}`;
      if (!a.active) { this.end(key, a.text); return; }
      const inst = this.assert(key, { condition, category: a.category ?? deviceAlarmCategory(a.text), device, metric: null, priority: a.priority, value: null, limit: null, text: a.text, latching: false, escalateAfterS: undefined, source: undefined });
      inst.unconfirmed = false;
    });
  }

  /** Acknowledges an alarm: silences this occurrence (high: for ackTimeoutS); a latched alarm whose condition ended is reset. */
  ack(alarmId: string): boolean {
    return this.run(() => {
      const a = this.byId(alarmId);
      if (!a) return false;
      if (a.latching && !a.present) {
        this.emit(a, 'acknowledged');
        this.remove(a, 'reset by acknowledgement');
        return true;
      }
      if (a.acknowledged) return true;
      a.acknowledged = true;
      a.ackMono = this.opts.clock.mono();
      this.emit(a, 'acknowledged');
      return true;
    });
  }

  /** Resets a latched alarm whose condition has ended. False when unknown, not latched or still present. */
  reset(alarmId: string): boolean {
    return this.run(() => {
      const a = this.byId(alarmId);
      if (!a || !a.latching || a.present) return false;
      this.remove(a, 'reset');
      return true;
    });
  }

  /** Global audio pause (at most 2 minutes). Returns its length in seconds. */
  pauseAudio(seconds?: number): number {
    return this.run(() => {
      const s = this.signals.pause(this.opts.clock.mono(), seconds ?? this.ruleSet.audioPauseS, this.alarms.values());
      for (const a of this.alarms.values()) this.emit(a, 'paused', `audio paused for ${s} s`);
      this.log.info({ seconds: s }, 'audio paused');
      return s;
    });
  }

  active(): ActiveAlarm[] {
    return [...this.alarms.values()].sort(compareAlarms).map(toActive);
  }

  /**
   * A new remote rule set (cmd/alarm-rules): validated, checked against the safety floor,
   * versioned, persisted, announced once locally as an information signal; refused as a whole
   * otherwise. `by`: the signer's key fingerprint or "unsigned".
   */
  setRules(candidate: unknown, requestedVersion?: number, by?: string): RulesResult {
    const res = this.rulesStore.propose(candidate, requestedVersion, by);
    if (res.ok) {
      this.run(() => this.applyRules());
      const text = `Alarm rules changed remotely: version ${res.version} by ${by ?? 'unsigned'} (${res.changes.length} change${res.changes.length === 1 ? '' : 's'})`;
      for (const a of this.opts.annunciators) this.out.guard(a.name, () => a.inform?.(text));
    }
    return res;
  }

  /** Sounds every priority once through every annunciator (alarm-test). */
  test(): void {
    this.log.info('alarm test');
    for (const a of this.opts.annunciators) this.out.guard(a.name, () => a.test?.(['high', 'medium', 'low']));
  }

  /** Writes the state now (also done by stop()). */
  flush(): void {
    this.out.flush();
  }

  /** Monotonic time of the last completed evaluation tick (the systemd watchdog checks it). */
  lastTickMono = 0;

  /** One tick; public for tests and for a hub that drives its own scheduler. */
  tick(): void {
    this.run(() => {
      const now = this.opts.clock.mono();
      for (const s of this.watch.check(now, (m) => this.staleLimitMs(m))) this.goneStale(s, now);
      // A condition delay may elapse between readings, but only while the last value is current
      // (at most two expected intervals old): a delay is never completed on an old value.
      for (const s of this.watch.all()) {
        const rule = this.ruleSet.rules[s.metric];
        const current = now - s.lastMono <= Math.max(2000, 2 * (this.metricInfo(s.metric)?.intervalS ?? 0) * 1000);
        if (!s.stale && current && s.lastValue !== undefined && rule?.enabled) this.evaluate(s, rule, s.lastValue, now, false);
      }
      for (const a of [...this.alarms.values()]) this.tickAlarm(a, now);
      this.lastTickMono = now; // only a completed evaluation counts as alive
      const settled = this.faults.settled(now);
      if (settled) this.setTechnical(settled);
    });
  }

  private tickAlarm(a: AlarmInstance, now: number): void {
    if (a.unconfirmed && now - this.startMono >= RESTORE_GRACE_MS) { this.remove(a, 'not reported again after restart'); return; }
    // Fresh: a live value since start and not stale (a restored alarm waits for new data).
    const src = a.source === undefined ? undefined : this.watch.find(a.source);
    const fresh = a.source === undefined || (src !== undefined && !src.stale && src.lastValue !== undefined);
    if (!a.present || !fresh) return; // no re-sounding and no escalation on old values
    if (a.acknowledged && a.priority === 'high' && a.ackMono !== undefined && now - a.ackMono >= this.ruleSet.ackTimeoutS * 1000) {
      a.acknowledged = false;
      a.ackMono = undefined;
      this.out.changed();
      this.log.info({ alarm: a.id, condition: a.condition }, 'acknowledgement timed out');
    }
    if (a.escalateAfterS !== undefined && a.priority !== 'high' && now - a.stepMono >= a.escalateAfterS * 1000) {
      this.escalate(a, stepUp(a.priority), now);
    }
  }

  private goneStale(s: Source, now: number): void {
    if (s.low) dropPending(s.low);
    if (s.high) dropPending(s.high);
    const limit = this.staleLimitMs(s.metric) ?? 0;
    this.setTechnical({ code: 'stale_data', device: s.device, metric: s.metric, active: true, text: `${this.label(s.metric)}: no data from ${s.device} for ${Math.round((now - s.lastMono) / 1000)} s (limit ${Math.round(limit / 1000)} s)` });
  }

  private evaluate(src: Source, rule: MetricRule, value: number, now: number, withRate: boolean): void {
    this.watch.ensureLevels(src, rule.low?.levels.length, rule.high?.levels.length);
    this.threshold(src, 'low', rule, value, now);
    this.threshold(src, 'high', rule, value, now);
    const rate = rule.rate;
    if (!withRate || !rate) return;
    const perMin = addRateSample(rate, src.rate, now, value);
    if (perMin === undefined) return;
    for (const dir of ['falling', 'rising'] as const) {
      const d = rate[dir];
      if (!d) continue;
      const key = `${src.metric}_${dir}|${src.device}`;
      const present = dir === 'falling' ? perMin <= d.perMin : perMin >= d.perMin;
      if (!present) { if (this.alarms.has(key)) this.end(key, `${this.label(src.metric)} no longer ${dir} fast`, value); continue; }
      const info = this.info(src.metric);
      const text = `${info.label} ${dir} ${fmt(perMin)} ${info.unit}/min (limit ${fmt(d.perMin)} ${info.unit}/min)`;
      this.assert(key, { condition: `${src.metric}_${dir}`, category: 'physiological', device: src.device, metric: src.metric, priority: d.priority, value, limit: d.perMin, text, latching: d.latching, escalateAfterS: undefined, source: src.key });
    }
  }

  private evaluateChange(r: Reading, rule: MetricRule): void {
    const change = rule.change;
    if (!change) return;
    const skey = `${r.device}|${r.metric}`;
    let st = this.changes.get(skey);
    if (!st) { st = newChangeState(); this.changes.set(skey, st); }
    const newest = st.t.length === 0 || r.t >= (st.t[st.t.length - 1] as number);
    addChangeSample(st, r.t, r.value);
    if (r.flags.includes('stored') || !newest) return;
    const c = changeAt(change, st, r.t, r.value);
    for (const dir of ['gain', 'loss'] as const) {
      const d = change[dir];
      if (!d) continue;
      const key = `${r.metric}_${dir}|${r.device}`;
      const amount = c === undefined ? 0 : dir === 'gain' ? c.gain : c.loss;
      const info = this.info(r.metric);
      if (amount < d.by) { if (this.alarms.has(key)) this.end(key, `${info.label} ${dir} back under ${fmt(d.by)} ${info.unit} in ${fmt(change.windowH)} h`, r.value); continue; }
      const text = `${info.label} ${dir === 'gain' ? 'up' : 'down'} ${fmt(amount)} ${info.unit} within ${fmt(Math.round(c?.spanH ?? 0))} h (limit ${fmt(d.by)} ${info.unit} in ${fmt(change.windowH)} h)`;
      this.assert(key, { condition: `${r.metric}_${dir}`, category: 'physiological', device: r.device, metric: r.metric, priority: d.priority, value: r.value, limit: d.by, text, latching: d.latching, escalateAfterS: undefined, source: `${r.device}|${r.metric}` });
    }
  }

  private threshold(src: Source, dir: Direction, rule: MetricRule, value: number, now: number): void {
    const bound = rule[dir];
    const st = src[dir];
    if (!bound || !st) return;
    const res = evaluateThreshold(dir, bound, st, value, now);
    const key = `${src.metric}_${dir}|${src.device}`;
    const info = this.info(src.metric);
    if (res.level < 0) {
      if (this.alarms.has(key)) this.end(key, `${info.label} ${fmt(value)} ${info.unit}: ${dir} limit no longer crossed`, value);
      return;
    }
    const lvl = bound.levels[res.level]!;
    const text = `${info.label} ${fmt(value)} ${info.unit} ${dir === 'low' ? 'below' : 'above'} ${fmt(lvl.limit)} ${info.unit}${lvl.delayS > 0 ? ` for ${fmt(lvl.delayS)} s` : ''}`;
    this.assert(key, { condition: `${src.metric}_${dir}`, category: 'physiological', device: src.device, metric: src.metric, priority: levelPriority(bound, res.level), value, limit: lvl.limit, text, latching: bound.latching, escalateAfterS: bound.escalateAfterS, source: src.key });
  }

  private setTechnical(c: TechnicalCondition): void {
    const key = `${c.code}|${c.device ?? ''}|${c.metric ?? ''}`;
    if (!c.active) { this.end(key, c.text); return; }
    const inst = this.assert(key, { condition: c.code, category: 'technical', device: c.device ?? '', metric: c.metric ?? null, priority: technicalPriority(c, this.ruleSet.technical), value: null, limit: null, text: c.text, latching: false, escalateAfterS: undefined, source: undefined });
    inst.unconfirmed = false;
  }

  /** The condition exists: raise a new instance, or update (and possibly escalate) the existing one. */
  private assert(key: string, s: Assertion): AlarmInstance {
    const now = this.opts.clock.mono();
    let a = this.alarms.get(key);
    if (!a) {
      a = {
        key, id: newAlarmId(this.opts.hubId, key), condition: s.condition, category: s.category, device: s.device || null, metric: s.metric,
        priority: s.priority, value: s.value, limit: s.limit, text: s.text, sinceWall: this.opts.clock.now(), sinceMono: now, stepMono: now,
        present: true, latching: s.latching, escalateAfterS: s.escalateAfterS, acknowledged: false, ackMono: undefined, source: s.source, unconfirmed: false,
      };
      this.alarms.set(key, a);
      this.signals.noteRaised(a.priority);
      this.emit(a, 'raised');
      return a;
    }
    a.value = s.value;
    a.text = s.text;
    if (!a.present) {
      // A latched alarm whose condition comes back: it must be heard again.
      a.present = true;
      a.acknowledged = false;
      a.ackMono = undefined;
      this.out.changed();
    }
    if (SEVERITY[s.priority] > SEVERITY[a.priority]) {
      a.limit = s.limit;
      this.escalate(a, s.priority, now);
    }
    return a;
  }

  private escalate(a: AlarmInstance, to: Priority, now: number): void {
    a.priority = higher(a.priority, to);
    a.stepMono = now;
    a.acknowledged = false;
    a.ackMono = undefined;
    this.signals.noteRaised(a.priority);
    this.emit(a, 'escalated');
  }

  /** The condition no longer exists: clear, or keep as latched. */
  private end(key: string, text: string, value?: number): void {
    const a = this.alarms.get(key);
    if (!a || !a.present) return;
    a.present = false;
    if (this.ruleSet !== this.rulesStore.current) this.recarry = true;
    if (value !== undefined) a.value = value;
    if (a.latching) {
      this.out.changed();
      this.log.info({ alarm: a.id, condition: a.condition }, 'alarm condition ended, latched until reset');
      return;
    }
    this.remove(a, text);
  }

  private remove(a: AlarmInstance, text: string): void {
    this.alarms.delete(a.key);
    if (this.ruleSet !== this.rulesStore.current) this.recarry = true;
    this.emit(a, 'cleared', text);
  }

  private emit(a: AlarmInstance, kind: AlarmEventKind, text?: string): void {
    this.out.event(toEvent(this.opts.hubId, a, kind, this.opts.clock.now(), text));
    this.log.info({ alarm: a.id, event: kind, condition: a.condition, priority: a.priority, device: a.device }, `alarm ${kind}`);
  }

  private run<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0 && !this.committing) this.commit();
    }
  }

  /** Hands the changes to the outputs (annunciators first), then handles technical conditions reported meanwhile. */
  private commit(): void {
    if (this.recarry) { this.recarry = false; this.applyRules(); }
    this.committing = true;
    try {
      this.out.commit(this.signals.state(this.opts.clock.mono(), this.alarms.values()), () => this.active());
    } finally {
      this.committing = false;
    }
    if (this.deferred.length > 0) {
      const d = this.deferred;
      this.deferred = [];
      for (const c of d) this.technical(c);
    }
  }

  /** Rule parts removed while their alarm is present stay until it ends (carryOver); never cleared here. */
  private applyRules(): void {
    this.ruleSet = carryOver(this.ruleSet, this.rulesStore.current, this.alarms.values());
    adaptSources(this.watch, this.ruleSet);
  }

  private restore(): void {
    let text: string | undefined;
    try { text = this.opts.persistence?.load(); } catch (err) { this.log.error({ err: (err as Error).message }, 'could not read alarm state'); }
    if (!text) return;
    const n = restoreState(text, this.opts.clock.mono(), this.alarms, this.watch, this.ruleSet);
    if (typeof n === 'string') this.log.error({ err: n }, 'persisted alarm state unreadable: starting without it');
    else this.log.info({ alarms: n }, 'alarm state restored');
    // A device unpaired while the hub was down would otherwise go stale (and alarm) forever.
    const paired = this.opts.devices ? new Set(this.opts.devices) : undefined;
    if (paired) for (const s of [...this.watch.all()]) if (!paired.has(s.device)) this.watch.remove(s.key);
  }

  private byId(id: string): AlarmInstance | undefined {
    for (const a of this.alarms.values()) if (a.id === id) return a;
    return undefined;
  }

  private staleLimitMs(metric: string): number | undefined {
    const rule = this.ruleSet.rules[metric];
    const info = this.metricInfo(metric);
    if (!rule?.enabled || !info) return undefined;
    return (rule.staleAfterIntervals ?? this.ruleSet.staleAfterIntervals) * info.intervalS * 1000;
  }

  private info(metric: string): MetricInfo {
    return this.metricInfo(metric) ?? { intervalS: 0, label: metric, unit: '' };
  }

  private label(metric: string): string {
    return this.info(metric).label;
  }
}
