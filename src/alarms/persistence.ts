import { z } from 'zod';
import type { AlarmInstance } from './condition.js';
import type { Source } from './stale-watch.js';

/**
 * Where the alarm state (and, with a second instance, the remote rule set) survives a restart.
 * The hub wires it to the SQLite store's key/value table. Both calls are synchronous; the engine
 * saves after the annunciators and callbacks have run, never before a signal.
 */
export interface AlarmPersistence {
  load(): string | undefined;
  save(json: string): void;
}

/** In-memory persistence (tests, demo). */
export class MemoryPersistence implements AlarmPersistence {
  constructor(public value: string | undefined = undefined) {}
  load(): string | undefined { return this.value; }
  save(json: string): void { this.value = json; }
}

const priority = z.enum(['high', 'medium', 'low']);

const savedAlarm = z.object({
  id: z.string(),
  key: z.string(),
  condition: z.string(),
  category: z.enum(['physiological', 'technical']),
  device: z.string().nullable(),
  metric: z.string().nullable(),
  priority,
  value: z.number().nullable(),
  limit: z.number().nullable(),
  text: z.string(),
  sinceWall: z.number(),
  /** How long it had been active, how long since its last priority step, at the save. */
  activeForMs: z.number().min(0),
  stepAgeMs: z.number().min(0),
  present: z.boolean(),
  latching: z.boolean(),
  escalateAfterS: z.number().optional(),
  acknowledged: z.boolean(),
  ackAgeMs: z.number().min(0).optional(),
  source: z.string().optional(),
});

const savedSource = z.object({
  device: z.string(),
  metric: z.string(),
  stale: z.boolean(),
  low: z.number().int(),
  high: z.number().int(),
});

export const savedStateSchema = z.object({
  v: z.literal(1),
  alarms: z.array(savedAlarm),
  sources: z.array(savedSource),
});
export type SavedState = z.infer<typeof savedStateSchema>;
export type SavedAlarm = z.infer<typeof savedAlarm>;

/**
 * Monotonic times do not survive a restart, so durations are saved instead (age at the save);
 * the time the hub was down is not counted.
 */
export function serializeState(mono: number, alarms: Iterable<AlarmInstance>, sources: Iterable<Source>): string {
  const out: SavedState = { v: 1, alarms: [], sources: [] };
  for (const a of alarms) {
    const s: SavedAlarm = {
      id: a.id, key: a.key, condition: a.condition, category: a.category, device: a.device, metric: a.metric,
      priority: a.priority, value: a.value, limit: a.limit, text: a.text, sinceWall: a.sinceWall,
      activeForMs: Math.max(0, mono - a.sinceMono), stepAgeMs: Math.max(0, mono - a.stepMono),
      present: a.present, latching: a.latching, acknowledged: a.acknowledged,
    };
    if (a.escalateAfterS !== undefined) s.escalateAfterS = a.escalateAfterS;
    if (a.ackMono !== undefined) s.ackAgeMs = Math.max(0, mono - a.ackMono);
    if (a.source !== undefined) s.source = a.source;
    out.alarms.push(s);
  }
  for (const s of sources) {
    out.sources.push({ device: s.device, metric: s.metric, stale: s.stale, low: s.low?.asserted ?? -1, high: s.high?.asserted ?? -1 });
  }
  return JSON.stringify(out);
}

export function parseState(text: string): SavedState | { error: string } {
  try {
    const res = savedStateSchema.safeParse(JSON.parse(text));
    return res.success ? res.data : { error: res.error.issues[0]?.message ?? 'invalid' };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function restoreInstance(s: SavedAlarm, mono: number): AlarmInstance {
  return {
    id: s.id, key: s.key, condition: s.condition, category: s.category, device: s.device, metric: s.metric,
    priority: s.priority, value: s.value, limit: s.limit, text: s.text, sinceWall: s.sinceWall,
    sinceMono: mono - s.activeForMs, stepMono: mono - s.stepAgeMs, present: s.present, latching: s.latching,
    escalateAfterS: s.escalateAfterS, acknowledged: s.acknowledged,
    ackMono: s.ackAgeMs === undefined ? undefined : mono - s.ackAgeMs,
    source: s.source,
    // Technical and device alarms must be reported again by the part of the hub that owns them.
    unconfirmed: s.category === 'technical' || s.condition.startsWith('device_') ? s.condition !== 'stale_data' : false,
  };
}
