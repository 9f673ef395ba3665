import { z } from 'zod';

/**
 * The `alarms` section of the config. Owned by the alarm system; the config schema embeds it.
 * When the section is absent the shipped defaults (config/alarms.default.yaml) apply.
 */
const priority = z.enum(['high', 'medium', 'low']);

const thresholdLevel = z.strictObject({
  below: z.number().optional().describe('Raise when the value is below this limit.'),
  above: z.number().optional().describe('Raise when the value is above this limit.'),
  priority: priority.describe('Alarm priority of this level.'),
  delayS: z.number().min(0).max(600).default(0).describe('Condition delay: the limit must be crossed this long before the alarm is raised.'),
  hysteresis: z.number().min(0).default(0).describe('The value must return this far inside the limit before the alarm clears.'),
  latching: z.boolean().default(false).describe('Latching alarms stay until reset even when the condition ends.'),
  escalateAfterS: z.number().min(1).optional().describe('Escalate to the next higher priority when the condition persists this long.'),
  source: z.string().optional().describe('Clinical source of the value (guideline, reference).'),
});

const rateRule = z.strictObject({
  perMinBelow: z.number().optional().describe('Raise when the rate of change per minute is below this (e.g. a fast fall).'),
  perMinAbove: z.number().optional().describe('Raise when the rate of change per minute is above this.'),
  windowS: z.number().min(60).max(3600).default(900).describe('Window over which the rate is computed.'),
  priority: priority,
  source: z.string().optional(),
});

export const metricRuleSchema = z.strictObject({
  levels: z.array(thresholdLevel).default([]).describe('Threshold levels for this metric.'),
  rate: rateRule.optional().describe('Rate-of-change rule.'),
  staleAfterIntervals: z.number().min(1).max(1000).optional().describe('Stale data after this many expected intervals without a reading.'),
});

export const alarmsSchema = z.strictObject({
  rules: z.record(z.string(), metricRuleSchema).default({}).describe('Rules per metric name (spo2, glucose, ...).'),
  staleAfterIntervals: z.number().min(1).max(1000).default(3).describe('Default stale-data limit in expected intervals.'),
  audioPauseS: z.number().min(1).max(120).default(120).describe('Global audio pause length (at most 2 minutes).'),
  ackTimeoutS: z.number().min(10).max(3600).default(300).describe('How long an acknowledgement silences a high-priority alarm.'),
  uplinkDownMinutes: z.number().min(1).max(1440).default(30).describe('Technical alarm when the uplink has been down this long.'),
});
export type AlarmsConfig = z.infer<typeof alarmsSchema>;
