import { z } from 'zod';

/**
 * The `alarms` section of the config, and the payload of the remote `cmd/alarm-rules` command.
 * Owned by the alarm system; the config schema embeds it.
 *
 * How a section combines with the shipped defaults (config/alarms.default.yaml), see resolveAlarms():
 * - `mode: merge` (default): the defaults' rules stay, and each metric named under `rules`
 *   REPLACES the default rule of that metric as a whole (levels are never mixed between the two).
 *   `rules: { pulse_rate: { enabled: false } }` switches a default rule off. `technical` priorities
 *   merge per code. The timing values (audioPauseS, ackTimeoutS, ...) come from the section.
 * - `mode: replace`: the section is the whole rule set; the defaults' rules are ignored.
 * When the section is absent altogether the shipped defaults apply unchanged.
 */
export const prioritySchema = z.enum(['high', 'medium', 'low']);
const SEVERITY = { low: 1, medium: 2, high: 3 } as const;

const levelSchema = z.strictObject({
  limit: z.number().describe('The limit: the alarm condition exists while the value is beyond it.'),
  priority: prioritySchema.describe('Alarm priority when this level is crossed.'),
  delayS: z.number().min(0).max(3600).default(0).describe('Alarm condition delay: the limit must stay crossed this long before the alarm is raised.'),
  source: z.string().min(1).optional().describe('Clinical source of the value (guideline, reference).'),
});

const boundSchema = z
  .strictObject({
    levels: z.array(levelSchema).min(1).max(5).describe('Levels from mild to severe; the priority follows the worst level crossed.'),
    hysteresis: z.number().min(0).default(0).describe('The value must come back this far inside the mildest limit before the condition ends (and for a worse level to count as left).'),
    latching: z.boolean().default(false).describe('A latching alarm stays after the condition ends, until it is reset or acknowledged.'),
    escalateAfterS: z.number().min(10).max(86_400).optional().describe('Raise the priority one step each time the condition persists this long (up to high).'),
  })
  .describe('One alarm condition (metric + direction) with one or more levels.');

const rateDirectionSchema = z.strictObject({
  perMin: z.number().describe('Limit on the rate of change per minute (in the metric unit per minute).'),
  priority: prioritySchema,
  latching: z.boolean().default(false),
  source: z.string().min(1).optional(),
});

const rateSchema = z.strictObject({
  windowS: z.number().min(60).max(3600).default(900).describe('Window over which the rate is computed (at least half of it must hold readings).'),
  falling: rateDirectionSchema.optional().describe('Raise `<metric>_falling` when the rate is at or below perMin (negative).'),
  rising: rateDirectionSchema.optional().describe('Raise `<metric>_rising` when the rate is at or above perMin.'),
});

const changeDirectionSchema = z.strictObject({
  by: z.number().positive().max(1000).describe('Raise when the newest value is at least this much above (gain) the lowest, or below (loss) the highest, value measured within the window before it (metric unit).'),
  priority: prioritySchema,
  latching: z.boolean().default(false),
  source: z.string().min(1).optional(),
});

const changeSchema = z.strictObject({
  windowH: z.number().min(1).max(336).default(72).describe('Window in hours of MEASUREMENT time (spot measurements such as a daily weight; up to 14 days).'),
  gain: changeDirectionSchema.optional().describe('Raise `<metric>_gain` (e.g. weight up more than 2 kg in 3 days).'),
  loss: changeDirectionSchema.optional().describe('Raise `<metric>_loss`.'),
});

export const metricRuleSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('false switches every alarm of this metric off (including stale data).'),
    low: boundSchema.optional().describe('`<metric>_low`: value below the limits.'),
    high: boundSchema.optional().describe('`<metric>_high`: value above the limits.'),
    rate: rateSchema.optional().describe('Rate-of-change conditions.'),
    change: changeSchema.optional().describe('Change over hours to days by measurement time (src/alarms/change-rule.ts).'),
    staleAfterIntervals: z.number().min(1).max(1000).optional().describe('Stale data after this many expected intervals without a reading (default: the section value).'),
  })
  .superRefine((rule, ctx) => {
    for (const dir of ['low', 'high'] as const) {
      const levels = rule[dir]?.levels ?? [];
      for (let i = 1; i < levels.length; i++) {
        const prev = levels[i - 1]!;
        const cur = levels[i]!;
        const worse = dir === 'low' ? cur.limit < prev.limit : cur.limit > prev.limit;
        if (!worse) {
          ctx.addIssue({ code: 'custom', path: [dir, 'levels', i, 'limit'], message: `levels go from mild to severe: ${dir === 'low' ? 'each limit must be below' : 'each limit must be above'} the previous one` });
        }
        if (SEVERITY[cur.priority] < SEVERITY[prev.priority]) {
          ctx.addIssue({ code: 'custom', path: [dir, 'levels', i, 'priority'], message: 'a more severe level cannot have a lower priority' });
        }
      }
    }
    if (rule.low && rule.high) {
      const lowMild = rule.low.levels[0]?.limit;
      const highMild = rule.high.levels[0]?.limit;
      if (lowMild !== undefined && highMild !== undefined && lowMild >= highMild) {
        ctx.addIssue({ code: 'custom', path: ['high', 'levels', 0, 'limit'], message: 'the high limit must be above the low limit' });
      }
    }
    const falling = rule.rate?.falling?.perMin;
    if (falling !== undefined && falling >= 0) ctx.addIssue({ code: 'custom', path: ['rate', 'falling', 'perMin'], message: 'a falling rate limit must be negative' });
    const rising = rule.rate?.rising?.perMin;
    if (rising !== undefined && rising <= 0) ctx.addIssue({ code: 'custom', path: ['rate', 'rising', 'perMin'], message: 'a rising rate limit must be positive' });
  });

const floorPointSchema = z.strictObject({
  limit: z.number().describe('A level at or beyond this limit (low: at or above it; high: at or below it) must exist ...'),
  priority: prioritySchema.describe('... with at least this priority ...'),
  maxDelayS: z.number().min(0).max(3600).describe('... and a condition delay of at most this many seconds.'),
  source: z.string().min(1).optional().describe('Clinical source of the floor value.'),
});

const floorRateSchema = z.strictObject({
  perMin: z.number().describe('The falling rate limit must be at or above this (less steep or equal); the rising one at or below it.'),
  priority: prioritySchema.describe('Lowest priority the rate alarm may have.'),
  maxWindowS: z.number().min(60).max(3600).describe('Longest rate window a rule set may choose.'),
  source: z.string().min(1).optional(),
});

const floorMetricSchema = z.strictObject({
  required: z.boolean().default(true).describe('The rule may not be removed or disabled.'),
  low: floorPointSchema.optional().describe('The weakest `<metric>_low` a rule set may choose.'),
  high: floorPointSchema.optional().describe('The weakest `<metric>_high` a rule set may choose.'),
  falling: floorRateSchema.optional().describe('The weakest `<metric>_falling` a rule set may choose.'),
  maxHysteresis: z.number().min(0).optional().describe('Largest hysteresis (metric unit) of the low and high conditions.'),
  maxStaleAfterIntervals: z.number().min(1).max(1000).optional().describe('Largest stale-data limit, in expected intervals of the metric.'),
  source: z.string().min(1).optional().describe('Source of the stale, hysteresis and required values.'),
});

/**
 * `alarms.floor`: the local safety floor. No REMOTE rule set (`cmd/alarm-rules`) may cross it; a
 * set that does is refused as a whole with every reason (src/alarms/floor.ts). The config file's
 * own alarm section is the technician's word and is not limited by it (a crossing is logged as a
 * warning at start). A config floor merges over the shipped one (config/alarms.floor.yaml): each
 * metric named replaces the shipped entry of that metric, technical priorities merge per code.
 */
export const floorSchema = z.strictObject({
  metrics: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a metric name (snake_case)'), floorMetricSchema).default({}).describe('Floor per metric.'),
  technical: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a technical condition code (snake_case)'), prioritySchema).default({}).describe('Lowest priority a rule set may give each technical condition code.'),
  maxAckTimeoutS: z.number().min(10).max(3600).optional().describe('Longest acknowledgement silence of a high-priority alarm.'),
  maxUplinkDownMinutes: z.number().min(1).max(1440).optional().describe('Longest uplink outage before `uplink_down`.'),
  maxStaleAfterIntervals: z.number().min(1).max(1000).optional().describe('Largest section-wide stale-data limit.'),
});

export const alarmsSchema = z.strictObject({
  floor: floorSchema.optional().describe('Local safety floor no remote rule set may cross (merged over config/alarms.floor.yaml). Only in the config file; a remote set carrying it is refused.'),
  mode: z.enum(['merge', 'replace']).default('merge').describe('merge: metrics named here replace the shipped default rule of that metric; replace: this is the whole rule set.'),
  rules: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a metric name (snake_case)'), metricRuleSchema).default({}).describe('Rules per metric name (spo2, pulse_rate, glucose, ...).'),
  technical: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a technical condition code (snake_case)'), prioritySchema).default({}).describe('Priority per technical condition code, over the built-in table.'),
  staleAfterIntervals: z.number().min(1).max(1000).default(3).describe('Default stale-data limit in expected intervals of the metric.'),
  audioPauseS: z.number().min(1).max(120).default(120).describe('Length of the global audio pause (at most 2 minutes).'),
  ackTimeoutS: z.number().min(10).max(3600).default(300).describe('An acknowledgement silences a high-priority alarm this long; then it sounds again if still present.'),
  uplinkDownMinutes: z.number().min(1).max(1440).default(30).describe('Technical alarm `uplink_down` when the uplink has been down this long.'),
});

export type AlarmsConfig = z.infer<typeof alarmsSchema>;
export type MetricRule = z.infer<typeof metricRuleSchema>;
export type BoundRule = z.infer<typeof boundSchema>;
export type RateRule = z.infer<typeof rateSchema>;
export type ChangeRule = z.infer<typeof changeSchema>;
export type AlarmFloor = z.infer<typeof floorSchema>;
export type FloorMetric = z.infer<typeof floorMetricSchema>;

/** Human-readable list of every problem, each with its path (`rules.spo2.low.levels[1].limit: ...`). */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((i) => {
      const path = i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), prefix);
      return `${path || '(root)'}: ${i.message}`;
    })
    .join('; ');
}
