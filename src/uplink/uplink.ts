import { connect as mqttConnect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { z } from 'zod';
import type { ActiveAlarm, TechnicalCondition } from '../alarms/types.js';
import type { UplinkConfig } from '../config/schema.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { OutboxSource } from '../store/outbox-types.js';
import { Backoff } from './backoff.js';
import { ClientConflict, type ConflictTuning } from './client-conflict.js';
import type { RulesInForce } from '../alarms/rules-store.js';
import { CommandAuth } from './command-auth.js';
import { CommandRouter, type CommandHandler, type CommandStats, type RegisterOptions } from './commands.js';
import { buildConnectOptions } from './connect-options.js';
import { Drainer, type QoS1Publisher } from './drainer.js';
import { makeBatchEncoder } from './batch-encoder.js';
import { MetadataStore } from './metadata-store.js';
import type { DeviceIdentity } from './fhir-devices.js';
import { HealthReporter } from './health.js';
import { registerPing } from './ping.js';
import { makeTopics, TOPIC_FLAGS, type DeviceStatus, type StatusPayload, type TopicName, type Topics } from './topics.js';

export type UplinkState = 'connected' | 'connecting' | 'disconnected';

export interface UplinkOptions {
  config: UplinkConfig;
  hubId: string;
  version: string;
  outbox: OutboxSource;
  log: Logger;
  clock: Clock;
  healthProvider?: () => Record<string, unknown>;
  /** Random source for back-off jitter (tests). */
  random?: () => number;
  /** The configured devices: identity of the Device resources in the FHIR formats. */
  devices?: readonly DeviceIdentity[];
  /** Technical conditions of the uplink itself (`uplink_client_conflict`). */
  onTechnical?: (c: TechnicalCondition) => void;
  /** Client-id conflict detection and back-off (defaults in client-conflict.ts; tests shorten them). */
  conflict?: Partial<ConflictTuning>;
}

export interface UplinkStats {
  state: UplinkState;
  connected: boolean;
  /** Successful connections after the first one. */
  reconnects: number;
  connectAttempts: number;
  publishedBatches: number;
  publishedAlarmEvents: number;
  ackedRows: number;
  publishErrors: number;
  /** Wall time (ms) of the last acknowledgement recorded; null before the first. */
  lastAckAt: number | null;
  inflight: number;
  lastError: string | null;
  /** Another connection with this client id keeps taking the session over (uplink_client_conflict). */
  clientConflict: boolean;
  /** Session takeovers seen since start (MQTT 5 reason 0x8E; on 3.1.1 closes right after connecting). */
  takeovers: number;
  /** Monotonic ms since the link was last up (or since start when never up); null while connected or stopped. */
  disconnectedForMs: number | null;
  commands: CommandStats;
}

/** Slots kept free under the broker's receive maximum for status, retained lists and replies. */
const CONTROL_SLOTS = 4;

/**
 * The MQTT uplink (contract §3): one persistent-session connection at a time, its own jittered
 * back-off, retained status with a Last Will, retained device and alarm lists, the outbox drain,
 * health, and inbound commands.
 */
export class Uplink {
  private readonly cfg: UplinkConfig;
  private readonly log: Logger;
  private readonly topics: Topics;
  private readonly backoff: Backoff;
  private readonly drainer: Drainer;
  private readonly commands: CommandRouter;
  private readonly health: HealthReporter;
  private readonly conflict: ClientConflict;
  private holdTimer: TimerHandle | null = null;
  private readonly stateListeners = new Set<(s: UplinkState) => void>();
  private client: MqttClient | null = null;
  private current: UplinkState = 'disconnected';
  private running = false;
  private reconnectTimer: TimerHandle | null = null;
  private everConnected = false;
  private downSince: number | null = null;
  private reconnects = 0;
  private attempts = 0;
  private lastError: string | null = null;
  private devices: string | null = null;
  private activeAlarms: string | null = null;
  private alarmRules: string | null = null;

  constructor(private readonly o: UplinkOptions) {
    this.cfg = o.config;
    this.log = o.log.child('uplink:mqtt');
    this.topics = makeTopics(o.config.topicPrefix, o.hubId);
    this.backoff = new Backoff(o.config.mqtt.reconnectMinMs, o.config.mqtt.reconnectMaxMs, o.random);
    const encoder = makeBatchEncoder({ config: o.config, hubId: o.hubId, version: o.version, now: () => o.clock.now(), devices: o.devices ?? [], log: this.log.child('fhir') });
    this.drainer = new Drainer({
      outbox: o.outbox,
      readingsTopic: this.topics.of('readings'),
      alarmEventsTopic: this.topics.of('alarms/events'),
      encoder,
      batchMaxReadings: o.config.batchMaxReadings,
      batchMaxDelayMs: o.config.batchMaxDelayMs,
      clock: o.clock,
      log: this.log,
    });
    this.commands = new CommandRouter(this.log, { clock: o.clock, hubId: o.hubId, maxAgeS: o.config.commandMaxAgeS });
    this.health = new HealthReporter({
      intervalS: o.config.healthIntervalS,
      clock: o.clock,
      log: this.log,
      provider: o.healthProvider ?? (() => ({})),
      uplinkStats: () => {
        const { commands, ...rest } = this.stats();
        return { ...rest, commandErrors: commands.received - commands.ok };
      },
      publish: (p) => this.publishJson('health', p),
    });
    registerPing(this.commands, o.clock, o.version);
    this.conflict = new ClientConflict(o.conflict, o.random ?? Math.random, (r) => {
      if (r.active) this.log.error({ clientId: this.clientId() }, 'client id conflict: backing off');
      else this.log.info('client id conflict over');
      o.onTechnical?.({ code: 'uplink_client_conflict', active: r.active, text: r.text });
    });
  }

  /** Validates the transport (throws HubError UplinkInsecure / UplinkTls) and starts connecting. */
  async start(): Promise<void> {
    if (this.running) return;
    this.connectOptions(); // fail fast on an insecure URL or unreadable TLS files
    // fail fast on an unreadable command key: a hub told to require signatures never runs without
    this.commands.useAuth(this.cfg.commandKey ? CommandAuth.fromFile(this.cfg.commandKey) : CommandAuth.none());
    this.running = true;
    this.downSince = this.o.clock.mono();
    this.health.start();
    this.connectOnce();
  }

  /** Publishes the retained offline status, then disconnects cleanly (the Will is not sent). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.reconnectTimer) this.o.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearHold();
    this.conflict.reset();
    this.health.stop();
    this.commands.stop();
    this.drainer.detach();
    const client = this.client;
    this.client = null;
    if (client) {
      if (client.connected) {
        await withTimeout(new Promise<void>((resolve) => {
          client.publish(this.topics.of('status'), JSON.stringify(this.status('offline')), this.pubOpts('status'), () => resolve());
        }), 3000);
      }
      client.removeAllListeners('close');
      if (client.connected) await withTimeout(new Promise<void>((resolve) => { client.end(false, {}, () => resolve()); }), 3000);
      client.end(true);
    }
    this.downSince = null;
    this.setState('disconnected');
  }

  /** New rows are in the outbox. */
  kick(): void {
    this.drainer.kick();
  }

  setDevices(devices: DeviceStatus[]): void {
    this.devices = JSON.stringify({ v: 1, t: this.iso(), devices });
    this.publishRaw('devices', this.devices);
  }

  setActiveAlarms(alarms: ActiveAlarm[]): void {
    this.activeAlarms = JSON.stringify({ v: 1, t: this.iso(), alarms });
    this.publishRaw('alarms/active', this.activeAlarms);
  }

  /** The alarm rule set in force (retained `alarms/rules`); call at start and on every change. */
  setAlarmRules(info: RulesInForce): void {
    this.alarmRules = JSON.stringify(info);
    this.publishRaw('alarms/rules', this.alarmRules);
  }

  /**
   * Registers a handler for `cmd/{name}`; `schema` validates the request without its envelope
   * (`id`, `iat`, `sig`, `hub`, `cmd`). Commands are state-changing unless `stateChanging: false`.
   */
  registerCommand<T>(name: string, schema: z.ZodType<T>, handler: CommandHandler<T>, opts?: RegisterOptions): void {
    this.commands.register(name, schema, handler, opts);
  }

  onState(fn: (s: UplinkState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Called whenever the outbox has been drained (nothing pending, nothing in flight). */
  onIdle(fn: () => void): () => void {
    return this.drainer.onIdle(fn);
  }

  state(): UplinkState {
    return this.current;
  }

  stats(): UplinkStats {
    const d = this.drainer.stats();
    return {
      state: this.current,
      connected: this.current === 'connected',
      reconnects: this.reconnects,
      connectAttempts: this.attempts,
      ...d,
      lastError: this.lastError ?? this.drainer.lastError,
      clientConflict: this.conflict.active,
      takeovers: this.conflict.takeoverCount,
      disconnectedForMs: this.downSince === null ? null : Math.max(0, this.o.clock.mono() - this.downSince),
      commands: this.commands.stats(),
    };
  }

  private connectOptions(): IClientOptions {
    return buildConnectOptions({
      config: this.cfg,
      clientId: this.clientId(),
      willTopic: this.topics.of('status'),
      will: this.status('offline'),
    });
  }

  private clientId(): string {
    return this.cfg.mqtt.clientId ?? `carehub-${this.o.hubId}`;
  }

  private connectOnce(): void {
    if (!this.running) return;
    this.attempts++;
    this.setState('connecting');
    let opts: IClientOptions;
    try {
      opts = this.connectOptions();
    } catch (err) {
      this.noteError(err as Error);
      this.scheduleReconnect();
      return;
    }
    let client: MqttClient;
    try {
      // a store that keeps no payload and never replays: unacknowledged rows are re-sent from
      // the outbox by the drainer after a reconnect (metadata-store.ts)
      client = mqttConnect(this.cfg.mqtt.url, { ...opts, outgoingStore: new MetadataStore() });
    } catch (err) {
      this.noteError(err as Error);
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    let over = false;
    let connectedAt: number | null = null;
    let reasonCode: number | undefined;
    const lost = (): void => {
      if (over) return;
      over = true;
      if (this.client === client) this.client = null;
      this.clearHold();
      const heldMs = connectedAt === null ? null : this.o.clock.mono() - connectedAt;
      if (this.running && this.conflict.ended(this.o.clock.mono(), reasonCode, heldMs)) {
        this.noteError(new Error('session taken over by another connection with this client id'));
      }
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      if (!this.running) return;
      if (this.current === 'connected') {
        this.downSince = this.o.clock.mono();
        this.drainer.detach();
        this.log.warn({ err: this.lastError }, 'broker connection lost; reconnecting');
      }
      this.setState('disconnected');
      this.scheduleReconnect();
    };
    client.on('connect', (connack: IConnackPacket) => { connectedAt = this.o.clock.mono(); this.connected(client, connack); });
    // MQTT 5: the broker says why it closes (0x8E: another connection took this client id's session)
    client.on('disconnect', (packet) => { reasonCode = packet.reasonCode; });
    client.on('error', (err) => { this.noteError(err); if (!client.connected) lost(); });
    client.on('close', lost);
    client.on('message', (topic, payload, packet) => { this.onMessage(client, topic, payload, packet); });
    // mqtt.js acknowledges an inbound message (and reads the next one) once this calls back:
    // deferring it one event-loop turn makes a flood of commands yield to timers (the alarm
    // engine's tick, the control socket) after every message; with MQTT 5 receiveMaximum the
    // broker, not the hub, holds the rest of the flood.
    client.handleMessage = (_packet, done) => { setImmediate(() => done()); };
  }

  private connected(client: MqttClient, connack: IConnackPacket): void {
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.backoff.reset();
    this.downSince = null;
    this.lastError = null;
    this.log.info({ url: redactUrl(this.cfg.mqtt.url), sessionPresent: connack.sessionPresent, reconnects: this.reconnects }, 'broker connected');
    this.setState('connected');
    this.publishRaw('status', JSON.stringify(this.status('online')));
    if (this.conflict.active) {
      this.holdTimer = this.o.clock.setTimeout(() => { this.holdTimer = null; if (this.client === client) this.conflict.held(); }, this.conflict.clearAfterMs);
    }
    if (this.devices) this.publishRaw('devices', this.devices);
    if (this.activeAlarms) this.publishRaw('alarms/active', this.activeAlarms);
    if (this.alarmRules) this.publishRaw('alarms/rules', this.alarmRules);
    // MQTT 5: retain handling 2, the broker sends no retained command at subscribe time (and any
    // message still flagged retained is ignored by the router, on 3.1.1 too)
    const subOpts = this.cfg.mqtt.protocolVersion === 5 ? { qos: 1 as const, rh: 2 } : { qos: 1 as const };
    client.subscribe(this.topics.cmdFilter, subOpts, (err) => { if (err) this.noteError(err); });
    const receiveMax = connack.properties?.receiveMaximum ?? 65_535;
    const cap = Math.max(1, Math.min(this.cfg.inflightBatches, receiveMax - CONTROL_SLOTS));
    const v5 = this.cfg.mqtt.protocolVersion === 5;
    const opts = v5 ? { qos: 1 as const, properties: { contentType: 'application/json' } } : { qos: 1 as const };
    const pub: QoS1Publisher = { publish: (topic, payload, cb) => { client.publish(topic, payload, opts, (err) => cb(err ?? undefined)); } };
    this.drainer.attach(pub, cap);
  }

  /** Synchronous and O(1) per message before queueing: a flood cannot stall the event loop. */
  private onMessage(client: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket): void {
    const name = this.topics.commandName(topic);
    if (name === null) return;
    this.commands.receive(name, payload, { retain: packet.retain === true }, (reply) => {
      if (client.connected) client.publish(this.topics.cmdReply(name), JSON.stringify(reply), this.replyOpts());
    });
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    // in a client-id conflict: a long jittered wait instead of taking the session straight back
    const delay = this.conflict.delay() ?? this.backoff.next();
    this.log.debug({ delayMs: delay }, 'reconnect scheduled');
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.connectOnce();
    }, delay);
  }

  private clearHold(): void {
    if (this.holdTimer) this.o.clock.clearTimeout(this.holdTimer);
    this.holdTimer = null;
  }

  private noteError(err: Error): void {
    const msg = err.message || String(err);
    if (msg !== this.lastError) this.log.warn({ err: msg }, 'uplink error');
    this.lastError = msg;
  }

  private setState(s: UplinkState): void {
    if (s === this.current) return;
    this.current = s;
    this.log.debug({ state: s }, 'uplink state');
    for (const fn of this.stateListeners) {
      try { fn(s); } catch (err) { this.log.error({ err: (err as Error).message }, 'state listener failed'); }
    }
  }

  private status(state: 'online' | 'offline'): StatusPayload {
    return { v: 1, state, t: this.iso(), version: this.o.version };
  }

  private iso(): string {
    return new Date(this.o.clock.now()).toISOString();
  }

  private pubOpts(name: TopicName): { qos: 0 | 1; retain: boolean; properties?: { contentType: string } } {
    const f = TOPIC_FLAGS[name];
    return this.cfg.mqtt.protocolVersion === 5 ? { ...f, properties: { contentType: 'application/json' } } : { ...f };
  }

  private replyOpts(): { qos: 1; properties?: { contentType: string } } {
    return this.cfg.mqtt.protocolVersion === 5 ? { qos: 1, properties: { contentType: 'application/json' } } : { qos: 1 };
  }

  private publishRaw(name: TopicName, payload: string): void {
    const c = this.client;
    if (c?.connected) c.publish(this.topics.of(name), payload, this.pubOpts(name));
  }

  private publishJson(name: TopicName, payload: object): void {
    this.publishRaw(name, JSON.stringify(payload));
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => { clearTimeout(t); resolve(); });
  });
}
