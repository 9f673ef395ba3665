import { z } from 'zod';
import type { ActiveAlarm, Priority } from './types.js';

/**
 * The alarm methods of the control socket (`carehub alarms`, `alarms ack ID`, `alarm-test`):
 *   alarms.list            → { alarms: ActiveAlarm[], pausedForS, rulesVersion }
 *   alarms.ack   {id}      → { ok: true, id }            (unknown id: error)
 *   alarms.reset {id}      → { ok: true, id }            (not latched / still present: error)
 *   alarms.pause {seconds?}→ { pausedForS }              (at most 120 s)
 *   alarms.test            → { sounded: ['high','medium','low'] }
 */
export interface AlarmControlTarget {
  active(): ActiveAlarm[];
  ack(id: string): boolean;
  reset(id: string): boolean;
  pauseAudio(seconds?: number): number;
  pausedForS(): number;
  test(): void;
  readonly rulesVersion: number;
}

const idArgs = z.object({ id: z.string().min(1) });
const pauseArgs = z.object({ seconds: z.number().positive().max(120).optional() });

function parse<T>(schema: z.ZodType<T>, args: unknown): T {
  const r = schema.safeParse(args);
  if (!r.success) throw new Error(`invalid arguments: ${r.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function alarmControlHandlers(engine: AlarmControlTarget): Record<string, (args: Record<string, unknown>) => Promise<unknown>> {
  return {
    'alarms.list': async () => ({ alarms: engine.active(), pausedForS: engine.pausedForS(), rulesVersion: engine.rulesVersion }),
    'alarms.ack': async (args) => {
      const { id } = parse(idArgs, args);
      if (!engine.ack(id)) throw new Error(`no active alarm ${id}`);
      return { ok: true, id };
    },
    'alarms.reset': async (args) => {
      const { id } = parse(idArgs, args);
      if (!engine.reset(id)) throw new Error(`alarm ${id} is not a latched alarm whose condition has ended`);
      return { ok: true, id };
    },
    'alarms.pause': async (args) => {
      const { seconds } = parse(pauseArgs, args);
      return { pausedForS: engine.pauseAudio(seconds) };
    },
    'alarms.test': async () => {
      engine.test();
      const sounded: Priority[] = ['high', 'medium', 'low'];
      return { sounded };
    },
  };
}
