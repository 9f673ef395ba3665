import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { SystemClock } from '../core/system-clock.js';
import { CommandAuth } from './command-auth.js';
import { CommandGate } from './command-gate.js';
import { RefusalLog } from './refusal-log.js';
import type { CommandReply } from './topics.js';

/**
 * The envelope every command request must have: a JSON object with a string `id`; `iat` (issued
 * at, seconds since the epoch), `sig`, `hub` and `cmd` are checked here and never reach a handler.
 */
const envelope = z.looseObject({
  id: z.string().min(1).max(200),
  iat: z.number().optional(),
  sig: z.string().max(200).optional(),
  hub: z.string().max(200).optional(),
  cmd: z.string().max(200).optional(),
});
const ENVELOPE_KEYS = ['id', 'iat', 'sig', 'hub', 'cmd'] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Largest request accepted; larger ones are refused before any parsing (also the MQTT 5 maximumPacketSize basis). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** A command may be issued this far in the hub's future (clock skew between backend and hub). */
export const IAT_FUTURE_SKEW_S = 60;

export type CommandResult = Record<string, unknown> | void;

export interface CommandContext {
  /** The request id, echoed in the reply. */
  id: string;
  name: string;
  /** The signer's key fingerprint (`ed25519:<hex>`) or "unsigned". */
  signer: string;
}

export type CommandHandler<T> = (args: T, ctx: CommandContext) => CommandResult | Promise<CommandResult>;

export interface RegisterOptions {
  /** Default true: the command changes the hub (rules, settings); it needs `iat` and, with a key, a signature. */
  stateChanging?: boolean;
}

interface Registered {
  schema: z.ZodType<unknown>;
  handler: CommandHandler<unknown>;
  stateChanging: boolean;
}

export interface CommandStats {
  received: number;
  ok: number;
  malformed: number;
  unknown: number;
  invalidArgs: number;
  failed: number;
  /** Larger than MAX_REQUEST_BYTES: refused unread. */
  tooLarge: number;
  /** Delivered as a retained message: ignored. */
  retained: number;
  /** Over the per-command rate with a full queue. */
  rateLimited: number;
  /** Without a signature while `uplink.commandKey` is set. */
  unsigned: number;
  badSignature: number;
  /** Without `iat`, older than commandMaxAgeS, or issued in the future. */
  expired: number;
}

export type RefusalKind = Exclude<keyof CommandStats, 'received' | 'ok'>;

export interface RouterOptions {
  clock?: Clock;
  hubId?: string;
  auth?: CommandAuth;
  /** Commands issued longer ago than this are refused (seconds). */
  maxAgeS?: number;
  /** Commands handled per second per command name; more wait in the queue. */
  perSecond?: number;
  /** Commands waiting per command name; more are refused. */
  queueMax?: number;
  /** Window of the refusal summary in the log. */
  summaryMs?: number;
}

const RESERVED = new Set(['id', 'ok', 'error']);

/**
 * Inbound commands: `{prefix}/{hub}/cmd/{name}` with a JSON object carrying a string `id`.
 * receive() takes one MQTT message: a retained message is ignored, an oversized one refused
 * unread, and the rest queued per command name (CommandGate: a rate, a small queue, and yields
 * to the event loop between commands so the alarm engine's tick is never held up). handle()
 * then checks the envelope (iat age, signature), validates the arguments without the envelope,
 * and runs the handler. Every handled request gets exactly one reply; refusals at the gate get at
 * most one reply per second per name. Refusals are counted and logged as a summary (RefusalLog),
 * never one line each.
 */
export class CommandRouter {
  private readonly handlers = new Map<string, Registered>();
  private readonly s: CommandStats = { received: 0, ok: 0, malformed: 0, unknown: 0, invalidArgs: 0, failed: 0, tooLarge: 0, retained: 0, rateLimited: 0, unsigned: 0, badSignature: 0, expired: 0 };
  private readonly clock: Clock;
  private auth: CommandAuth;
  private readonly gate: CommandGate;
  private readonly refusals: RefusalLog;

  constructor(private readonly log: Logger, private readonly o: RouterOptions = {}) {
    this.clock = o.clock ?? new SystemClock();
    this.auth = o.auth ?? CommandAuth.none();
    this.gate = new CommandGate({ clock: this.clock, perSecond: o.perSecond ?? 10, queueMax: o.queueMax ?? 16 });
    this.refusals = new RefusalLog(log, this.clock, o.summaryMs ?? 10_000);
  }

  register<T>(name: string, schema: z.ZodType<T>, handler: CommandHandler<T>, opts: RegisterOptions = {}): void {
    if (!NAME.test(name)) throw new Error(`invalid command name ${name}`);
    if (this.handlers.has(name)) throw new Error(`command ${name} already registered`);
    this.handlers.set(name, { schema, handler: handler as CommandHandler<unknown>, stateChanging: opts.stateChanging ?? true });
  }

  /** Sets who may sign state-changing commands (uplink.commandKey). */
  useAuth(auth: CommandAuth): void {
    this.auth = auth;
  }

  names(): string[] {
    return [...this.handlers.keys()];
  }

  stats(): CommandStats {
    return { ...this.s };
  }

  /** Queued + running commands (all names). */
  get backlog(): number {
    return this.gate.backlog;
  }

  /**
   * One inbound message. `reply` is called with each reply to publish (for the handled request,
   * or a throttled refusal). Returns at once; never throws.
   */
  receive(name: string, payload: Buffer, meta: { retain: boolean }, reply: (r: CommandReply) => void): void {
    // the lane key is the command name only for registered commands: state stays bounded
    const lane = this.handlers.has(name) ? name : '(unknown)';
    if (meta.retain) {
      this.s.received++;
      this.refuse('retained', lane, 'retained command message ignored');
      return;
    }
    if (payload.length > MAX_REQUEST_BYTES) {
      this.s.received++;
      this.refuse('tooLarge', lane, `request larger than ${MAX_REQUEST_BYTES} bytes`);
      if (this.gate.mayReply(lane)) reply({ id: null, ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
      return;
    }
    const queued = this.gate.offer(lane, async () => { reply(await this.handle(name, payload)); });
    if (!queued) {
      this.s.received++;
      const error = `rate limited: at most ${this.o.perSecond ?? 10} "${lane}" commands per second with ${this.o.queueMax ?? 16} waiting; refused`;
      this.refuse('rateLimited', lane, error);
      if (this.gate.mayReply(lane)) reply({ id: null, ok: false, error });
    }
  }

  /** Handles one request; resolves to the reply to publish. Never rejects. */
  async handle(name: string, payload: Buffer): Promise<CommandReply> {
    this.s.received++;
    if (payload.length > MAX_REQUEST_BYTES) return this.fail('tooLarge', null, name, `request larger than ${MAX_REQUEST_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.fail('malformed', null, name, 'request is not valid JSON');
    }
    const env = envelope.safeParse(json);
    if (!env.success) {
      const rawId = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { id?: unknown }).id : undefined;
      const id = typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : null;
      return this.fail('malformed', id, name, 'request must be a JSON object with a string "id" (and a number "iat", strings "sig", "hub", "cmd" when given)');
    }
    const id = env.data.id;
    const reg = this.handlers.get(name);
    if (!reg) return this.fail('unknown', id, name, `unknown command "${name}"`);
    const age = this.ageProblem(env.data.iat, reg.stateChanging);
    if (age) return this.fail('expired', id, name, age);
    let signer = 'unsigned';
    if (reg.stateChanging) {
      const auth = this.auth.check(json as Record<string, unknown>, name, this.o.hubId ?? '');
      if (!auth.ok) return this.fail(auth.kind, id, name, auth.error);
      signer = auth.signer;
    }
    const rest: Record<string, unknown> = { ...env.data };
    for (const k of ENVELOPE_KEYS) delete rest[k];
    const args = reg.schema.safeParse(rest);
    if (!args.success) {
      const detail = args.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
      return this.fail('invalidArgs', id, name, `invalid arguments: ${detail}`);
    }
    try {
      const result = (await reg.handler(args.data, { id, name, signer })) ?? {};
      this.s.ok++;
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(result)) if (!RESERVED.has(k)) extra[k] = v;
      return { id, ok: true, error: null, ...extra };
    } catch (err) {
      return this.fail('failed', id, name, err instanceof Error ? err.message : String(err));
    }
  }

  /** Stops the summary timer and drops queued commands. */
  stop(): void {
    this.gate.clear();
    this.refusals.stop();
  }

  /**
   * `iat` (seconds since the epoch) is required for state-changing commands and checked against
   * commandMaxAgeS. A hub whose clock is not synchronised cannot judge the age: it accepts the
   * command (versions still refuse replays) and says so in the log once per summary window.
   */
  private ageProblem(iat: number | undefined, required: boolean): string | null {
    if (iat === undefined) return required ? 'missing "iat": state-changing commands carry their issue time (seconds since the epoch)' : null;
    if (!this.clock.synced()) return null;
    const maxAge = this.o.maxAgeS ?? 300;
    const ageS = this.clock.now() / 1000 - iat;
    if (ageS > maxAge) return `command issued ${Math.round(ageS)} s ago, older than ${maxAge} s (uplink.commandMaxAgeS): refused`;
    if (ageS < -IAT_FUTURE_SKEW_S) return `command issued ${Math.round(-ageS)} s in the future (hub clock): refused`;
    return null;
  }

  private refuse(kind: RefusalKind, lane: string, detail: string): void {
    this.s[kind]++;
    this.refusals.note(lane, kind, detail);
  }

  private fail(kind: RefusalKind, id: string | null, name: string, error: string): CommandReply {
    this.refuse(kind, this.handlers.has(name) ? name : '(unknown)', error);
    return { id, ok: false, error };
  }
}
