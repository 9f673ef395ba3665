import { randomUUID } from 'node:crypto';
import { stableId } from '../core/ids.js';
import type { ActiveAlarm, AlarmCategory, AlarmEvent, AlarmEventKind, Priority } from './types.js';

/**
 * One alarm instance: an occurrence of an alarm condition from raise to clear. The condition
 * (is the value beyond the limit?) is kept apart from the signals (what sounds): `present` says
 * whether the condition still exists; a latching instance stays after it ends until reset.
 */
export interface AlarmInstance {
  /** Map key: condition + device (+ metric for technical conditions). */
  key: string;
  id: string;
  condition: string;
  category: AlarmCategory;
  device: string | null;
  metric: string | null;
  priority: Priority;
  value: number | null;
  limit: number | null;
  text: string;
  sinceWall: number;
  sinceMono: number;
  /** Monotonic ms of the last priority step (raise or escalation), for escalation timing. */
  stepMono: number;
  present: boolean;
  latching: boolean;
  escalateAfterS: number | undefined;
  acknowledged: boolean;
  ackMono: number | undefined;
  /** Key of the reading source (device|metric) a physiological alarm rests on. */
  source: string | undefined;
  /** Restored after a restart and not yet confirmed by its reporter (technical/device alarms). */
  unconfirmed: boolean;
}

export const SEVERITY: Readonly<Record<Priority, number>> = { low: 1, medium: 2, high: 3 };

export function higher(a: Priority, b: Priority): Priority {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function stepUp(p: Priority): Priority {
  return p === 'low' ? 'medium' : 'high';
}

export function newAlarmId(hub: string, key: string): string {
  return stableId(hub, key, randomUUID());
}

export function toActive(a: AlarmInstance): ActiveAlarm {
  return {
    alarm: a.id,
    priority: a.priority,
    category: a.category,
    condition: a.condition,
    device: a.device,
    metric: a.metric,
    value: a.value,
    limit: a.limit,
    since: new Date(a.sinceWall).toISOString(),
    acknowledged: a.acknowledged,
    latched: a.latching && !a.present,
    text: a.text,
  };
}

export function toEvent(hub: string, a: AlarmInstance, event: AlarmEventKind, wall: number, text = a.text): AlarmEvent {
  return {
    v: 1,
    hub,
    id: stableId(a.id, event, randomUUID()),
    alarm: a.id,
    event,
    priority: a.priority,
    category: a.category,
    condition: a.condition,
    device: a.device,
    metric: a.metric,
    value: a.value,
    limit: a.limit,
    t: new Date(wall).toISOString(),
    text,
  };
}

/** Highest priority first, then oldest first. */
export function compareAlarms(a: AlarmInstance, b: AlarmInstance): number {
  return SEVERITY[b.priority] - SEVERITY[a.priority] || a.sinceMono - b.sinceMono;
}

/** A number for alarm texts: at most two decimals, no trailing zeros. */
export function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}
