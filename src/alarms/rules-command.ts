import { z } from 'zod';
import { MAX_RULES_VERSION, type RulesResult } from './rules-store.js';

/**
 * The remote command `carehub/{hub}/cmd/alarm-rules` (docs/COMMANDS.md):
 *   request  {"id":"r-17","iat":1767225600,"version":8,"alarms":{ ...an alarms section... },"sig":"..."}
 *   reply    {"id":"r-17","ok":true,"error":null,"version":8,"changes":["rules.spo2.low.levels[0].limit: 88 → 90"]}
 *            {"id":"r-17","ok":false,"error":"alarms.rules.spo2: the safety floor requires this rule; ..."}
 * `version` is required: an integer above the version in force and below 2^48 (a late, replayed
 * or locking command is refused). The section is validated with the config schema, combined with
 * the shipped defaults (mode merge/replace), checked against the metric catalogue's plausible
 * ranges and the local safety floor, and refused AS A WHOLE with every reason when anything is
 * wrong; the old set stays. An accepted set is persisted and survives a restart. Envelope fields
 * (`iat`, `sig`, `hub`, `cmd`) are checked by the command router before this handler runs.
 */
export const alarmRulesRequestSchema = z.object({
  alarms: z.unknown().describe('The new alarms section (validated by the alarms schema).'),
  version: z.number().int().min(1).max(MAX_RULES_VERSION - 1).describe('The version of this set: above the version in force, below 2^48.'),
});
export type AlarmRulesRequest = z.infer<typeof alarmRulesRequestSchema>;

export interface RuleTarget {
  setRules(candidate: unknown, requestedVersion?: number, by?: string): RulesResult;
}

export type AlarmRulesCommand = [
  z.ZodType<AlarmRulesRequest>,
  (args: AlarmRulesRequest, ctx: { id: string; name: string; signer?: string }) => Record<string, unknown>,
];

/** [schema, handler] ready for the uplink's registerCommand('alarm-rules', ...). A refused set throws (reply ok:false). */
export function alarmRulesCommand(target: RuleTarget): AlarmRulesCommand {
  return [
    alarmRulesRequestSchema,
    (args, ctx) => {
      if (args.alarms === undefined) throw new Error('missing "alarms": the new alarms section');
      const res = target.setRules(args.alarms, args.version, ctx.signer ?? 'unsigned');
      if (!res.ok) throw new Error(res.error);
      return { version: res.version, changes: res.changes };
    },
  ];
}
