import { z } from 'zod';
import type { Logger } from '../core/log.js';
import type { CommandReply } from './topics.js';

/** The envelope every command request must have: a JSON object with a string `id`. */
const envelope = z.looseObject({ id: z.string().min(1).max(200) });

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_REQUEST_BYTES = 64 * 1024;

export type CommandResult = Record<string, unknown> | void;

export interface CommandContext {
  /** The request id, echoed in the reply. */
  id: string;
  name: string;
}

export type CommandHandler<T> = (args: T, ctx: CommandContext) => CommandResult | Promise<CommandResult>;

interface Registered {
  schema: z.ZodType<unknown>;
  handler: CommandHandler<unknown>;
}

export interface CommandStats {
  received: number;
  ok: number;
  malformed: number;
  unknown: number;
  invalidArgs: number;
  failed: number;
}

const RESERVED = new Set(['id', 'ok', 'error']);

/**
 * Inbound commands: `{prefix}/{hub}/cmd/{name}` with a JSON object carrying a string `id`.
 * The handler's schema validates the request without `id`. Every request gets exactly one
 * reply; bad input is counted and answered with `ok: false`, never thrown.
 */
export class CommandRouter {
  private readonly handlers = new Map<string, Registered>();
  private readonly s: CommandStats = { received: 0, ok: 0, malformed: 0, unknown: 0, invalidArgs: 0, failed: 0 };

  constructor(private readonly log: Logger) {}

  register<T>(name: string, schema: z.ZodType<T>, handler: CommandHandler<T>): void {
    if (!NAME.test(name)) throw new Error(`invalid command name ${name}`);
    if (this.handlers.has(name)) throw new Error(`command ${name} already registered`);
    this.handlers.set(name, { schema, handler: handler as CommandHandler<unknown> });
  }

  names(): string[] {
    return [...this.handlers.keys()];
  }

  stats(): CommandStats {
    return { ...this.s };
  }

  /** Handles one request; resolves to the reply to publish. Never rejects. */
  async handle(name: string, payload: Buffer): Promise<CommandReply> {
    this.s.received++;
    if (payload.length > MAX_REQUEST_BYTES) return this.fail('malformed', null, name, `request larger than ${MAX_REQUEST_BYTES} bytes`);
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
      return this.fail('malformed', id, name, 'request must be a JSON object with a string "id"');
    }
    const { id, ...rest } = env.data;
    const reg = this.handlers.get(name);
    if (!reg) return this.fail('unknown', id, name, `unknown command "${name}"`);
    const args = reg.schema.safeParse(rest);
    if (!args.success) {
      const detail = args.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
      return this.fail('invalidArgs', id, name, `invalid arguments: ${detail}`);
    }
    try {
      const result = (await reg.handler(args.data, { id, name })) ?? {};
      this.s.ok++;
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(result)) if (!RESERVED.has(k)) extra[k] = v;
      return { id, ok: true, error: null, ...extra };
    } catch (err) {
      return this.fail('failed', id, name, err instanceof Error ? err.message : String(err));
    }
  }

  private fail(kind: Exclude<keyof CommandStats, 'received' | 'ok'>, id: string | null, name: string, error: string): CommandReply {
    this.s[kind]++;
    this.log.warn({ command: name, id, kind }, 'command rejected');
    return { id, ok: false, error };
  }
}
