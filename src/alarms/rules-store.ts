import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import { alarmsSchema, formatIssues, type AlarmsConfig } from './config-schema.js';
import type { AlarmPersistence } from './persistence.js';

/**
 * The rule set in force, versioned. Version 1 is the configured set (config section resolved over
 * the shipped defaults); each accepted remote set (`cmd/alarm-rules`) gets the next number and
 * is persisted, so it survives a restart. A remote set stays in force across restarts until the
 * config file's alarm section changes: then the config wins (with the next version number), the
 * technician on site having the last word. Version numbers never go backwards.
 */
export type RulesResult = { ok: true; version: number } | { ok: false; error: string };

const persistedSchema = z.object({
  v: z.literal(1),
  version: z.number().int().min(1),
  base: z.string(),
  section: z.unknown(),
});

export interface RulesStoreOptions {
  configured: AlarmsConfig;
  resolve: (section: AlarmsConfig) => AlarmsConfig;
  persistence?: AlarmPersistence;
  log: Logger;
}

export class RulesStore {
  private rules: AlarmsConfig;
  private ver = 1;
  private readonly base: string;

  constructor(private readonly opts: RulesStoreOptions) {
    this.rules = opts.configured;
    this.base = hash(opts.configured);
    this.restore();
  }

  get current(): AlarmsConfig { return this.rules; }
  get version(): number { return this.ver; }

  /**
   * Validates a candidate section with the config schema and, when valid, makes it the rule set
   * with the next version. `requestedVersion`, when given, must be above the current version
   * (a late or replayed command is refused). An invalid set is refused; the old one stays.
   */
  propose(candidate: unknown, requestedVersion?: number): RulesResult {
    if (requestedVersion !== undefined && (!Number.isInteger(requestedVersion) || requestedVersion <= this.ver)) {
      return { ok: false, error: `version ${requestedVersion} is not above the current version ${this.ver}` };
    }
    const parsed = alarmsSchema.safeParse(candidate ?? {});
    if (!parsed.success) return { ok: false, error: formatIssues(parsed.error, 'alarms') };
    let resolved: AlarmsConfig;
    try {
      resolved = this.opts.resolve(parsed.data);
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    const version = requestedVersion ?? this.ver + 1;
    this.rules = resolved;
    this.ver = version;
    this.persist(parsed.data);
    this.opts.log.info({ version, metrics: Object.keys(resolved.rules).length }, 'alarm rules replaced');
    return { ok: true, version };
  }

  private persist(section: AlarmsConfig | null): void {
    try {
      this.opts.persistence?.save(JSON.stringify({ v: 1, version: this.ver, base: this.base, section }));
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'could not persist alarm rules');
    }
  }

  private restore(): void {
    let text: string | undefined;
    try {
      text = this.opts.persistence?.load();
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'could not read persisted alarm rules');
    }
    if (!text) return;
    let stored: z.infer<typeof persistedSchema>;
    try {
      stored = persistedSchema.parse(JSON.parse(text));
    } catch {
      this.opts.log.error('persisted alarm rules unreadable: using the configured rules');
      return;
    }
    if (stored.base !== this.base) {
      this.ver = stored.version + 1;
      this.opts.log.warn({ version: this.ver }, 'config alarm section changed since the last remote rule set: configured rules apply');
      this.persist(null);
      return;
    }
    this.ver = stored.version;
    if (stored.section === null || stored.section === undefined) return;
    const parsed = alarmsSchema.safeParse(stored.section);
    if (!parsed.success) {
      this.opts.log.error({ version: stored.version }, 'persisted alarm rules invalid: using the configured rules');
      this.ver = stored.version + 1;
      return;
    }
    try {
      this.rules = this.opts.resolve(parsed.data);
      this.opts.log.info({ version: this.ver }, 'remote alarm rules restored');
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'persisted alarm rules could not be resolved: using the configured rules');
    }
  }
}

function hash(c: AlarmsConfig): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 32);
}
