import { SEVERITY, type AlarmInstance } from './condition.js';
import type { Priority } from './types.js';

/**
 * Alarm signals (what the annunciators show and sound), derived from the alarm instances.
 * The highest active priority drives the visual signal; the highest unacknowledged one drives
 * the audio signal unless a global audio pause is running. The pause lasts at most 2 minutes
 * and ends early when an alarm of a higher priority than any at the start of the pause is raised.
 */
export interface SignalState {
  /** Highest priority among all active alarms (visual indicator); null when none. */
  visual: Priority | null;
  /** Priority the audio signal sounds at; null when silent (none, all acknowledged, paused). */
  audio: Priority | null;
  /** True while the global audio pause runs. */
  paused: boolean;
}

export const MAX_AUDIO_PAUSE_S = 120;

export class AudioSignals {
  private pauseUntil: number | undefined;
  private pauseCeiling = 0;

  /** Starts (or restarts) the global audio pause; returns its length in seconds. */
  pause(mono: number, seconds: number, alarms: Iterable<AlarmInstance>): number {
    const s = Math.min(MAX_AUDIO_PAUSE_S, Math.max(1, seconds));
    this.pauseUntil = mono + s * 1000;
    this.pauseCeiling = 0;
    for (const a of alarms) this.pauseCeiling = Math.max(this.pauseCeiling, SEVERITY[a.priority]);
    return s;
  }

  /** A new or escalated alarm: a priority above the pause's ceiling ends the pause. */
  noteRaised(p: Priority): void {
    if (this.pauseUntil !== undefined && SEVERITY[p] > this.pauseCeiling) this.pauseUntil = undefined;
  }

  paused(mono: number): boolean {
    if (this.pauseUntil !== undefined && mono >= this.pauseUntil) this.pauseUntil = undefined;
    return this.pauseUntil !== undefined;
  }

  /** Seconds of pause left (0 when none). */
  remainingS(mono: number): number {
    return this.paused(mono) ? Math.ceil((this.pauseUntil! - mono) / 1000) : 0;
  }

  state(mono: number, alarms: Iterable<AlarmInstance>): SignalState {
    let visual = 0;
    let audio = 0;
    for (const a of alarms) {
      const s = SEVERITY[a.priority];
      if (s > visual) visual = s;
      if (!a.acknowledged && s > audio) audio = s;
    }
    const paused = this.paused(mono);
    return { visual: fromSeverity(visual), audio: paused ? null : fromSeverity(audio), paused };
  }
}

function fromSeverity(s: number): Priority | null {
  return s === 3 ? 'high' : s === 2 ? 'medium' : s === 1 ? 'low' : null;
}

export function sameSignals(a: SignalState | undefined, b: SignalState): boolean {
  return !!a && a.visual === b.visual && a.audio === b.audio && a.paused === b.paused;
}
