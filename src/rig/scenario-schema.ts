import { z } from 'zod';
import { SCENARIOS as VENT_SCENARIOS } from '../../drivers/ventilator-medibus/patient-model.js';
import { OXI_SCENARIOS } from '../../drivers/oximeter-plxs/scenario.js';
import { BP_SCENARIOS } from '../../drivers/bp-bps/scenario.js';
import { GLUCOSE_SCENARIOS } from '../../drivers/glucose-gls/scenario.js';
import { WEIGHT_SCENARIOS } from '../../drivers/weight-wss/scenario.js';
import { alarmsSchema, prioritySchema } from '../alarms/config-schema.js';
import { byteSize, configSchema, defaultProtocol } from '../config/schema.js';

/**
 * The rig scenario file (`carehub rig FILE`, contract §7): devices to simulate, a timeline of
 * faults, expectations. The one definition of its shape; docs/RIG.md describes it for people.
 */

const CGM_SCENARIOS = ['normal', 'hypo', 'hyper', 'fast-fall'].flatMap((s) => [s, `${s}-fast`]);

/** Scenarios each device kind's built-in simulator knows (a rig must not fall back silently). */
export const DEVICE_SCENARIOS: Readonly<Record<'cgm' | 'oximeter' | 'ventilator' | 'bp' | 'scale' | 'glucometer', readonly string[]>> = {
  cgm: CGM_SCENARIOS,
  oximeter: OXI_SCENARIOS,
  ventilator: VENT_SCENARIOS,
  bp: BP_SCENARIOS,
  scale: WEIGHT_SCENARIOS,
  glucometer: GLUCOSE_SCENARIOS,
};

const seconds = z.number().finite().min(0);
const positiveSeconds = z.number().finite().positive();

const device = configSchema.shape.devices.unwrap().element.superRefine((d, ctx) => {
  if (!d.simulate) {
    ctx.addIssue({ code: 'custom', path: ['simulate'], message: `required: a rig device is served by the built-in simulator (${DEVICE_SCENARIOS[d.kind].join(', ')})` });
    return;
  }
  if (!DEVICE_SCENARIOS[d.kind].includes(d.simulate)) {
    ctx.addIssue({ code: 'custom', path: ['simulate'], message: `unknown ${d.kind} scenario "${d.simulate}" (one of ${DEVICE_SCENARIOS[d.kind].join(', ')})` });
  }
});

export const FAULT_ACTIONS = ['ble-link-drop', 'serial-cable-pull', 'garbage-bytes', 'clock-jump'] as const;
export const ACTIONS = ['broker-down', 'broker-up', 'hub-kill', 'hub-restart', 'disk-budget-exhausted', ...FAULT_ACTIONS] as const;

const base = { at: seconds.describe('Seconds after the hub first started.'), note: z.string().optional() };

const step = z.discriminatedUnion('action', [
  z.strictObject({ ...base, action: z.literal('broker-down'), seconds: positiveSeconds.optional().describe('Bring the broker back after this long.') }),
  z.strictObject({ ...base, action: z.literal('broker-up') }),
  z.strictObject({ ...base, action: z.literal('hub-kill'), seconds: positiveSeconds.optional().describe('Start the hub again after this long.') }),
  z.strictObject({ ...base, action: z.literal('hub-restart') }),
  z.strictObject({ ...base, action: z.literal('disk-budget-exhausted'), maxBytes: byteSize.default('4MB').describe('The outbox byte budget the hub is restarted with.') }),
  z.strictObject({ ...base, action: z.literal('ble-link-drop'), device: z.string(), seconds: positiveSeconds.describe('How long the device is out of radio range.') }),
  z.strictObject({ ...base, action: z.literal('serial-cable-pull'), device: z.string(), seconds: positiveSeconds.describe('How long the cable stays out.') }),
  z.strictObject({ ...base, action: z.literal('garbage-bytes'), device: z.string(), count: z.number().int().min(1).max(4096).default(64) }),
  z.strictObject({ ...base, action: z.literal('clock-jump'), seconds: z.number().finite().refine((v) => v !== 0, 'a jump of 0 s does nothing').describe('Step of the wall clock, negative = backwards.') }),
], { error: (iss) => (iss.code === 'invalid_union' ? `unsupported action; one of ${ACTIONS.join(', ')}` : undefined) });

const withinAfter = { within: positiveSeconds.describe('Deadline, seconds after `after`.'), after: seconds.default(0).describe('Start of the window, seconds after the hub first started.') };

const EXPECTATIONS = ['alarm-raised', 'alarm-cleared', 'no-reading-lost', 'delivered-exactly-once-per-id', 'in-order-per-device', 'min-readings'] as const;

/** One expectation per list entry: an object with exactly one of these keys. */
const expectation = z
  .strictObject({
    'alarm-raised': z.strictObject({ condition: z.string().min(1), device: z.string().optional(), priority: prioritySchema.optional(), ...withinAfter }).optional(),
    'alarm-cleared': z.strictObject({ condition: z.string().min(1), device: z.string().optional(), ...withinAfter }).optional(),
    'no-reading-lost': z.literal(true).optional(),
    'delivered-exactly-once-per-id': z.union([
      z.literal(true),
      z.strictObject({
        from: seconds.optional().describe('Only readings measured from this second on.'),
        to: seconds.optional().describe('Only readings measured up to this second.'),
        duplicates: z.enum(['allow', 'fail']).default('allow').describe('Identical redeliveries (at-least-once) are allowed by default.'),
      }),
    ]).optional(),
    'in-order-per-device': z.literal(true).optional(),
    'min-readings': z.strictObject({ device: z.string(), metric: z.string().optional(), count: z.number().int().min(1) }).optional(),
  }, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unsupported expectation; one of ${EXPECTATIONS.join(', ')}` : undefined) })
  .superRefine((e, ctx) => {
    const keys = Object.keys(e).filter((k) => e[k as keyof typeof e] !== undefined);
    if (keys.length !== 1) ctx.addIssue({ code: 'custom', path: [], message: `exactly one expectation per entry (one of ${EXPECTATIONS.join(', ')}), got ${keys.length}` });
  });

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    duration: positiveSeconds.max(24 * 3600).describe('Seconds the timeline runs.'),
    drain: positiveSeconds.max(600).default(20).describe('After the timeline: longest wait for the stored backlog to reach the broker.'),
    broker: z.union([z.literal('spawn'), z.strictObject({ url: z.string().regex(/^mqtts?:\/\/\S+$/, 'an mqtt:// or mqtts:// URL'), protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5) })]).default('spawn'),
    devices: z.array(device).min(1),
    hub: z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/).default('hub-rig'),
      alarms: alarmsSchema.optional(),
      maxBytes: byteSize.optional().describe('Outbox byte budget (storage.maxBytes).'),
    }).default({ id: 'hub-rig' }),
    timeline: z.array(step).default([]),
    expect: z.array(expectation).min(1),
  })
  .superRefine((s, ctx) => {
    const byId = new Map(s.devices.map((d) => [d.id, d]));
    const seen = new Set<string>();
    s.devices.forEach((d, i) => {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: 'duplicate device id' });
      seen.add(d.id);
    });
    s.timeline.forEach((t, i) => {
      if (t.at > s.duration) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'at'], message: `after the end of the scenario (duration ${s.duration} s)` });
      if ((t.action === 'broker-down' || t.action === 'broker-up') && s.broker !== 'spawn') {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'action'], message: `${t.action} needs broker: spawn (the rig cannot stop an external broker)` });
      }
      if (!('device' in t)) return;
      const d = byId.get(t.device);
      if (!d) { ctx.addIssue({ code: 'custom', path: ['timeline', i, 'device'], message: `no device "${t.device}" in devices` }); return; }
      const transport = (d.protocol ?? defaultProtocol(d.kind)) === 'medibus' ? 'serial' : 'ble';
      if (t.action === 'ble-link-drop' && transport !== 'ble') ctx.addIssue({ code: 'custom', path: ['timeline', i, 'device'], message: `${t.device} is not a BLE device` });
      if (t.action === 'serial-cable-pull' && transport !== 'serial') ctx.addIssue({ code: 'custom', path: ['timeline', i, 'device'], message: `${t.device} is not a serial device` });
    });
    s.expect.forEach((e, i) => {
      for (const key of ['alarm-raised', 'alarm-cleared', 'min-readings'] as const) {
        const dev = e[key]?.device;
        if (dev !== undefined && !byId.has(dev)) ctx.addIssue({ code: 'custom', path: ['expect', i, key, 'device'], message: `no device "${dev}" in devices` });
      }
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type TimelineStep = Scenario['timeline'][number];
export type Expectation = Scenario['expect'][number];
export type FaultAction = (typeof FAULT_ACTIONS)[number];
