import type { RulesInForce } from '../alarms/rules-store.js';
import type { ActiveAlarm, AlarmEvent } from '../alarms/types.js';
import type { ReadingJson } from '../core/reading.js';

/**
 * The public MQTT contract (CONTRACT.md §3) as a typed topic map: every topic the hub
 * publishes, its QoS, whether it is retained, and the payload type that goes on it.
 */

export type HubState = 'online' | 'offline';

export interface StatusPayload {
  v: 1;
  state: HubState;
  t: string;
  version: string;
}

export type DeviceLink = 'connected' | 'connecting' | 'lost';

/** One entry of the retained device list. */
export interface DeviceStatus {
  id: string;
  kind: string;
  transport: string;
  address: string | null;
  link: DeviceLink;
  lastSeen: string | null;
  battery: number | null;
}

export interface DevicesPayload {
  v: 1;
  t: string;
  devices: DeviceStatus[];
}

export interface ActiveAlarmsPayload {
  v: 1;
  t: string;
  alarms: ActiveAlarm[];
}

export interface ReadingBatch {
  v: 1;
  hub: string;
  readings: ReadingJson[];
}

export interface HealthPayload {
  v: 1;
  t: string;
  uplink: Record<string, unknown>;
  [key: string]: unknown;
}

/** A reply on `cmd/{name}/reply`: the request id echoed, `ok`, `error`, plus the handler's result fields. */
export interface CommandReply {
  id: string | null;
  ok: boolean;
  error: string | null;
  [key: string]: unknown;
}

/** Payload type per topic suffix (below `{prefix}/{hub}/`). */
export interface TopicPayloads {
  status: StatusPayload;
  readings: ReadingBatch | Record<string, unknown>;
  'alarms/events': AlarmEvent;
  'alarms/active': ActiveAlarmsPayload;
  /** The alarm rule set in force, its version, source and who set it (retained). */
  'alarms/rules': RulesInForce;
  devices: DevicesPayload;
  health: HealthPayload;
}

export type TopicName = keyof TopicPayloads;

/** QoS and retain flag per topic (contract §3). */
export const TOPIC_FLAGS: { readonly [K in TopicName]: { qos: 0 | 1; retain: boolean } } = {
  status: { qos: 1, retain: true },
  readings: { qos: 1, retain: false },
  'alarms/events': { qos: 1, retain: false },
  'alarms/active': { qos: 1, retain: true },
  'alarms/rules': { qos: 1, retain: true },
  devices: { qos: 1, retain: true },
  health: { qos: 0, retain: false },
};

export interface Topics {
  /** Full topic of one of the published topics. */
  of(name: TopicName): string;
  /** Subscription filter for inbound commands: `{prefix}/{hub}/cmd/+`. */
  readonly cmdFilter: string;
  /** Command name from a full inbound topic, or null when the topic is not a command. */
  commandName(topic: string): string | null;
  cmdReply(name: string): string;
}

export function makeTopics(prefix: string, hub: string): Topics {
  const base = `${prefix}/${hub}`;
  const cmdBase = `${base}/cmd/`;
  return {
    of: (name) => `${base}/${name}`,
    cmdFilter: `${cmdBase}+`,
    commandName(topic) {
      if (!topic.startsWith(cmdBase)) return null;
      const name = topic.slice(cmdBase.length);
      return name.length > 0 && !name.includes('/') ? name : null;
    },
    cmdReply: (name) => `${cmdBase}${name}/reply`,
  };
}
