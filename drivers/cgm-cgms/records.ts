import type { DriverContext } from '../types.js';
import { MG_DL_PER_MMOL_L } from '../../src/core/metrics/glucose.js';
import type { Measurement } from '../../src/core/reading.js';
import { activeConditions, annunciationFlags, CGM_CONDITIONS } from './annunciations.js';
import type { CgmRecord } from './codec-measurement.js';
import { loadSession, recordKey, saveSession, type CgmSessionState } from './session-state.js';

interface Queued { rec: CgmRecord; stored: boolean; advance: boolean; session: CgmSessionState }

/** Glucose in mmol/L with three decimals (mg/dL / 18.0156). */
export function toMmol(mgDl: number): number {
  return Math.round((mgDl / MG_DL_PER_MMOL_L) * 1000) / 1000;
}

/** The measurements for one record (none when the glucose is a special value). */
export function recordMeasurements(rec: CgmRecord, session: CgmSessionState, stored: boolean): Measurement[] {
  if (rec.glucoseMgDl === null) return [];
  const flags = annunciationFlags(rec.annunciation);
  if (stored) flags.push('stored');
  const base = {
    t: session.startMs + rec.timeOffsetMin * 60_000,
    deviceTime: session.deviceTime,
    key: recordKey(session.id, rec.timeOffsetMin),
  };
  const out: Measurement[] = [{ metric: 'glucose', value: toMmol(rec.glucoseMgDl), ...base, flags }];
  if (rec.trendMgDlMin !== null) out.push({ metric: 'glucose_trend', value: toMmol(rec.trendMgDlMin), ...base, flags: [...flags] });
  return out;
}

/**
 * Takes decoded records, hands them to the pipeline in batches (one submit in flight at a
 * time) and advances the persisted cursor only after a submit resolved, and only over records
 * known to be gap-free behind them (`advance`). See backfill.ts for when that is.
 */
export class RecordSink {
  private queue: Queued[] = [];
  private draining: Promise<void> | null = null;
  private ceiling = -Infinity;
  private frozen = false;
  private active = new Set<string>();
  private newest = -1;
  /** Highest offset received since the last `beginProcedure`. */
  maxSeen: number | null = null;
  session: CgmSessionState | null = null;
  onSubmitFailed: (e: Error) => void = () => undefined;

  constructor(private readonly ctx: DriverContext) {}

  /** Records received before the session is known are held (not advancing). */
  setSession(s: CgmSessionState): void {
    this.session = s;
    this.newest = -1;
  }

  /** RACP running: only records up to `ceiling` (the offset when it was asked) may advance. */
  beginProcedure(ceiling: number): void {
    this.ceiling = ceiling;
    this.frozen = false;
    this.maxSeen = null;
  }

  /** Nothing received from now on may advance the cursor (a frame was rejected: a gap is possible). */
  freeze(): void { this.frozen = true; }
  isFrozen(): boolean { return this.frozen; }

  live(): void { this.ceiling = Infinity; }

  cursor(): number | null {
    const s = this.session ? loadSession(this.ctx.state) : null;
    return s && this.session && s.id === this.session.id ? s.cursor : null;
  }

  /** Returns false when a live record goes backwards (the sensor started a new session). */
  push(records: CgmRecord[], stored: boolean): boolean {
    const s = this.session;
    if (!s) return true;
    const cursor = this.cursor();
    for (const rec of records) {
      const off = rec.timeOffsetMin;
      if (!stored && this.ceiling === Infinity && cursor !== null && off <= cursor) {
        if (off < cursor) return false;
        continue; // the newest record once more
      }
      this.maxSeen = Math.max(this.maxSeen ?? -1, off);
      this.queue.push({ rec, stored, advance: !this.frozen && off <= this.ceiling, session: s });
    }
    this.kick();
    return true;
  }

  /** Resolves when everything received so far has been submitted. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** After a complete procedure: everything up to the highest offset seen is stored. */
  async completeProcedure(): Promise<void> {
    await this.idle();
    if (!this.frozen && this.maxSeen !== null && this.session) this.advanceTo(this.session, this.maxSeen);
  }

  private kick(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => { this.draining = null; this.kick(); });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      const ms = batch.flatMap((q) => recordMeasurements(q.rec, q.session, q.stored));
      try {
        if (ms.length > 0) await this.ctx.submit(ms);
      } catch (e) {
        this.frozen = true;
        this.onSubmitFailed(e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      let best: Queued | null = null;
      for (const q of batch) {
        if (q.advance && (best === null || q.rec.timeOffsetMin > best.rec.timeOffsetMin)) best = q;
      }
      if (best) this.advanceTo(best.session, best.rec.timeOffsetMin);
      this.conditions(batch);
    }
  }

  private advanceTo(session: CgmSessionState, offset: number): void {
    const cur = loadSession(this.ctx.state);
    if (cur && cur.id !== session.id) return; // a newer session took over
    const base = cur ?? session;
    if (base.cursor !== null && base.cursor >= offset) return;
    saveSession(this.ctx.state, { ...base, cursor: offset });
  }

  /** Technical conditions follow the newest record; reported on transitions only. */
  private conditions(batch: Queued[]): void {
    let newest: CgmRecord | null = null;
    for (const q of batch) if (q.rec.timeOffsetMin > this.newest && (!newest || q.rec.timeOffsetMin > newest.timeOffsetMin)) newest = q.rec;
    if (!newest) return;
    this.newest = newest.timeOffsetMin;
    this.applyConditions(newest.annunciation);
  }

  applyConditions(field: number): void {
    const now = activeConditions(field);
    for (const c of CGM_CONDITIONS) {
      const was = this.active.has(c.code);
      const is = now.has(c.code);
      if (was === is) continue;
      this.ctx.technical({ code: c.code, active: is, text: is ? c.text : `${c.text}: cleared` });
      this.ctx.log.info({ condition: c.code, active: is }, 'cgm condition');
    }
    this.active = now;
  }
}
