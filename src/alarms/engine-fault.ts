import type { Logger } from '../core/log.js';
import type { TechnicalCondition } from './types.js';

/** An evaluation that threw must stay clean this long before `alarm_engine_fault` clears. */
export const FAULT_CLEAR_MS = 60_000;

export type FaultSite = 'reading' | 'tick';

/**
 * Exceptions inside the alarm engine's own evaluation (a programming error, a rule the code did
 * not foresee). They must neither lose the reading (the pipeline still stores it) nor stop the
 * other conditions from being evaluated, and they must not pass unnoticed: the technical alarm
 * `alarm_engine_fault` (high) is raised at the first one and cleared only after FAULT_CLEAR_MS
 * without another. A tick that throws does not count as evaluated, so the systemd watchdog stops
 * being pinged and the service is restarted if it persists (src/hub/health-checks.ts).
 * Logged once per site and message; every fault is counted.
 */
export class EngineFaults {
  private lastMono: number | undefined;
  private readonly logged = new Set<string>();
  count = 0;

  constructor(private readonly log: Logger) {}

  /** Records one fault; returns the condition to raise. */
  note(site: FaultSite, err: unknown, mono: number): TechnicalCondition {
    this.count++;
    this.lastMono = mono;
    const message = err instanceof Error ? err.message : String(err);
    const key = `${site}|${message}`;
    if (!this.logged.has(key) && this.logged.size < 100) {
      this.logged.add(key);
      this.log.error({ site, err: message, stack: err instanceof Error ? err.stack : undefined }, 'alarm evaluation failed (further identical faults only counted)');
    }
    return { code: 'alarm_engine_fault', active: true, text: `Alarm evaluation failed (${site}): ${message}. Alarms may be missed; the hub restarts if this persists` };
  }

  /** After a completed tick: the clearing condition once the engine has been clean long enough. */
  settled(mono: number): TechnicalCondition | null {
    if (this.lastMono === undefined || mono - this.lastMono < FAULT_CLEAR_MS) return null;
    this.lastMono = undefined;
    return { code: 'alarm_engine_fault', active: false, text: 'Alarm evaluation working again' };
  }
}
