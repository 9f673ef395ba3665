import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../core/log.js';

/**
 * The rig's stand-in for the regional backend: a subscriber to `{prefix}/{hub}/#` with a
 * persistent session (QoS 1), recording every reading, every alarm event and the retained
 * topics, each with the rig time it arrived.
 */
const readingSchema = z.looseObject({
  id: z.string(),
  device: z.string(),
  metric: z.string(),
  value: z.number().nullable().optional(),
  t: z.string(),
});
const batchSchema = z.looseObject({ readings: z.array(readingSchema) });
const alarmEventSchema = z.looseObject({
  id: z.string(),
  alarm: z.string().optional(),
  event: z.string(),
  condition: z.string(),
  device: z.string().nullable().optional(),
  priority: z.string().optional(),
  t: z.string(),
});

export type ReceivedReading = z.infer<typeof readingSchema> & { arrivedMs: number };
export type ReceivedAlarmEvent = z.infer<typeof alarmEventSchema> & { arrivedMs: number };

export class RigBackend {
  readonly readings: ReceivedReading[] = [];
  readonly alarmEvents: ReceivedAlarmEvent[] = [];
  readonly retained = new Map<string, string>();
  /** Payloads on readings/alarm topics that were not what the contract says. */
  readonly malformed: string[] = [];
  private client: MqttClient | null = null;

  constructor(private readonly url: string, private readonly protocolVersion: 4 | 5, private readonly topic: string, private readonly log: Logger) {}

  async connect(timeoutMs = 10_000): Promise<void> {
    const client = connect(this.url, {
      protocolVersion: this.protocolVersion,
      clientId: `carehub-rig-backend-${randomBytes(4).toString('hex')}`,
      clean: false,
      reconnectPeriod: 200,
      connectTimeout: 5000,
      ...(this.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
    });
    this.client = client;
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload.toString(), packet.retain));
    client.on('error', (err) => this.log.debug({ err: err.message }, 'backend subscriber error'));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`backend subscriber could not connect to ${this.url} within ${timeoutMs} ms`)), timeoutMs);
      client.once('connect', () => { clearTimeout(t); resolve(); });
    });
    await client.subscribeAsync(this.topic, { qos: 1 });
  }

  private onMessage(topic: string, text: string, retain: boolean): void {
    const now = Date.now();
    if (topic.endsWith('/readings')) {
      const b = safeJson(text, batchSchema);
      if (!b) { this.malformed.push(topic); return; }
      for (const r of b.readings) this.readings.push({ ...r, arrivedMs: now });
    } else if (topic.endsWith('/alarms/events')) {
      const ev = safeJson(text, alarmEventSchema);
      if (!ev) { this.malformed.push(topic); return; }
      this.alarmEvents.push({ ...ev, arrivedMs: now });
    } else if (retain || topic.endsWith('/status') || topic.endsWith('/devices') || topic.endsWith('/alarms/active')) {
      this.retained.set(topic, text);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true);
  }
}

function safeJson<T>(text: string, schema: z.ZodType<T>): T | null {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
