import { z } from 'zod';
import type { RulesResult } from './rules-store.js';

/**
 * The remote command `carehub/{hub}/cmd/alarm-rules`:
 *   request  {"id":"r-17","version":8,"alarms":{ ...an alarms section, as in the config... }}
 *   reply    {"id":"r-17","ok":true,"error":null,"version":8}
 *            {"id":"r-17","ok":false,"error":"alarms.rules.spo2.low.levels[0].limit: ..."}
 * The section is validated with the config schema and combined with the shipped defaults the
 * same way as the config's section (mode merge/replace). `version` is optional; when given it
 * must be above the version in force (a late or replayed command is refused). An invalid set is
 * refused and the old one stays; an accepted set is persisted and survives a restart.
 */
export const alarmRulesRequestSchema = z.object({
  alarms: z.unknown().describe('The new alarms section (validated by the alarms schema).'),
  version: z.number().int().min(1).optional().describe('The version number of this set; must be above the current one.'),
});
export type AlarmRulesRequest = z.infer<typeof alarmRulesRequestSchema>;

export interface RuleTarget {
  setRules(candidate: unknown, requestedVersion?: number): RulesResult;
}

export type AlarmRulesCommand = [
  z.ZodType<AlarmRulesRequest>,
  (args: AlarmRulesRequest, ctx: { id: string; name: string }) => Record<string, unknown>,
];

/** [schema, handler] ready for the uplink's registerCommand('alarm-rules', ...). A refused set throws (reply ok:false). */
export function alarmRulesCommand(target: RuleTarget): AlarmRulesCommand {
  return [
    alarmRulesRequestSchema,
    (args) => {
      if (args.alarms === undefined) throw new Error('missing "alarms": the new alarms section');
      const res = target.setRules(args.alarms, args.version);
      if (!res.ok) throw new Error(res.error);
      return { version: res.version };
    },
  ];
}
