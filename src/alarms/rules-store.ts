import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import { alarmsSchema, formatIssues, type AlarmFloor, type AlarmsConfig } from './config-schema.js';
import { floorViolations, plausibilityViolations, resolveFloor } from './floor.js';
import type { AlarmPersistence } from './persistence.js';
import { diffRules } from './rules-diff.js';

/**
 * The rule set in force, versioned. Version 1 is the configured set (config section resolved over
 * the shipped defaults); each accepted remote set (`cmd/alarm-rules`) carries a version above the
 * one in force and below MAX_RULES_VERSION, and is persisted, so it survives a restart. A remote
 * set stays in force across restarts until the config file's alarm section changes: then the
 * config wins (with the next version number), the technician on site having the last word.
 * Version numbers never go backwards.
 *
 * A remote set is refused AS A WHOLE, with every reason, when it is invalid, carries a floor,
 * names a metric outside the catalogue, has a number outside the metric's plausible range, or
 * crosses the local safety floor (src/alarms/floor.ts). The configured set is not limited by the
 * floor: a crossing is logged as a warning once at start.
 *
 * Every accepted change is kept in a bounded history (who: the signer's key fingerprint,
 * "unsigned" or "local"; when; version; a diff summary) persisted with the set.
 */

/** Versions are positive integers below 2^48: safe integers with room for 2^5 times more. */
export const MAX_RULES_VERSION = 2 ** 48;
/** Entries kept in the rule-change history. */
export const RULES_HISTORY_MAX = 50;

export type RulesResult = { ok: true; version: number; changes: string[] } | { ok: false; error: string; reasons: string[] };

export interface RuleChange {
  version: number;
  /** Signer key fingerprint (`ed25519:<hex>`), "unsigned", or "local" (the config file). */
  by: string;
  t: string;
  source: 'config' | 'remote';
  changes: string[];
}

/** What is published retained on `alarms/rules`. */
export interface RulesInForce {
  v: 1;
  version: number;
  source: 'config' | 'remote';
  by: string;
  /** When this set came into force (null: the configured set since the first start). */
  t: string | null;
  alarms: Omit<AlarmsConfig, 'floor'>;
  floor: AlarmFloor;
}

const changeSchema = z.object({
  version: z.number().int(),
  by: z.string(),
  t: z.string(),
  source: z.enum(['config', 'remote']),
  changes: z.array(z.string()),
});

const persistedSchema = z.object({
  v: z.literal(1),
  version: z.number().int().min(1),
  base: z.string(),
  section: z.unknown(),
  history: z.array(changeSchema).optional(),
});

export interface RulesStoreOptions {
  configured: AlarmsConfig;
  resolve: (section: AlarmsConfig) => AlarmsConfig;
  persistence?: AlarmPersistence;
  log: Logger;
  /** Wall clock (ms) for the history. */
  now?: () => number;
}

export class RulesStore {
  private rules: AlarmsConfig;
  private ver = 1;
  private readonly base: string;
  private readonly floor: AlarmFloor;
  private section: AlarmsConfig | null = null;
  private history: RuleChange[] = [];
  private listeners = new Set<(info: RulesInForce, change: RuleChange) => void>();

  constructor(private readonly opts: RulesStoreOptions) {
    this.rules = opts.configured;
    this.floor = resolveFloor(opts.configured.floor);
    this.base = hash(opts.configured);
    const crossed = [...floorViolations(opts.configured, this.floor), ...plausibilityViolations(opts.configured)];
    if (crossed.length > 0) opts.log.warn({ reasons: crossed }, 'the configured alarm rules cross the safety floor (the config file is the technician\'s word: they apply)');
    this.restore();
  }

  get current(): AlarmsConfig { return this.rules; }
  get version(): number { return this.ver; }
  get changes(): readonly RuleChange[] { return this.history; }

  info(): RulesInForce {
    const last = this.history[this.history.length - 1];
    const { floor: _floor, ...alarms } = this.rules;
    const remote = this.section !== null;
    return { v: 1, version: this.ver, source: remote ? 'remote' : 'config', by: last?.by ?? 'local', t: last?.version === this.ver ? last.t : null, alarms, floor: this.floor };
  }

  onChange(fn: (info: RulesInForce, change: RuleChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Validates a remote candidate section and, when it is valid, plausible and respects the
   * floor, makes it the rule set with `requestedVersion` (default: the next version).
   */
  propose(candidate: unknown, requestedVersion?: number, by = 'unsigned'): RulesResult {
    const reasons: string[] = [];
    if (requestedVersion !== undefined) {
      if (!Number.isSafeInteger(requestedVersion) || requestedVersion < 1 || requestedVersion >= MAX_RULES_VERSION) reasons.push(`version: ${requestedVersion} is not an integer from 1 to 2^48-1`);
      else if (requestedVersion <= this.ver) reasons.push(`version: ${requestedVersion} is not above the current version ${this.ver}`);
    }
    if (typeof candidate === 'object' && candidate !== null && 'floor' in candidate) reasons.push('alarms.floor: the safety floor is local; a remote rule set may not carry one');
    const parsed = alarmsSchema.safeParse(candidate ?? {});
    if (!parsed.success) return refuse([...reasons, formatIssues(parsed.error, 'alarms')]);
    let resolved: AlarmsConfig;
    try {
      resolved = { ...this.opts.resolve(parsed.data) };
    } catch (err) {
      return refuse([...reasons, (err as Error).message]);
    }
    delete resolved.floor;
    reasons.push(...plausibilityViolations(resolved), ...floorViolations(resolved, this.floor));
    if (reasons.length > 0) {
      this.opts.log.warn({ reasons: reasons.slice(0, 20), count: reasons.length, by }, 'remote alarm rules refused');
      return refuse(reasons);
    }
    const version = requestedVersion ?? this.ver + 1;
    if (version >= MAX_RULES_VERSION) return refuse([`version: the next version would reach 2^48`]);
    const changes = diffRules(this.rules, resolved);
    this.rules = resolved;
    this.ver = version;
    this.section = parsed.data;
    const change: RuleChange = { version, by, t: new Date(this.opts.now?.() ?? Date.now()).toISOString(), source: 'remote', changes };
    this.record(change);
    this.persist();
    this.opts.log.warn({ version, by, changes }, 'alarm rules changed by a remote command');
    const info = this.info();
    for (const fn of this.listeners) {
      try { fn(info, change); } catch (err) { this.opts.log.error({ err: (err as Error).message }, 'rules listener failed'); }
    }
    return { ok: true, version, changes };
  }

  private record(change: RuleChange): void {
    this.history.push(change);
    if (this.history.length > RULES_HISTORY_MAX) this.history.splice(0, this.history.length - RULES_HISTORY_MAX);
  }

  private persist(): void {
    try {
      this.opts.persistence?.save(JSON.stringify({ v: 1, version: this.ver, base: this.base, section: this.section, history: this.history }));
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
    this.history = (stored.history ?? []).slice(-RULES_HISTORY_MAX);
    this.ver = Math.min(stored.version, MAX_RULES_VERSION - 1);
    const back = (why: string): void => {
      this.ver = Math.min(this.ver + 1, MAX_RULES_VERSION - 1);
      this.section = null;
      this.record({ version: this.ver, by: 'local', t: new Date(this.opts.now?.() ?? Date.now()).toISOString(), source: 'config', changes: [why] });
      this.persist();
    };
    if (stored.base !== this.base) {
      back('config alarm section changed: configured rules apply');
      this.opts.log.warn({ version: this.ver }, 'config alarm section changed since the last remote rule set: configured rules apply');
      return;
    }
    if (stored.section === null || stored.section === undefined) return;
    const parsed = alarmsSchema.safeParse(stored.section);
    if (!parsed.success) {
      this.opts.log.error({ version: stored.version }, 'persisted alarm rules invalid: using the configured rules');
      back('persisted remote rules invalid: configured rules apply');
      return;
    }
    let resolved: AlarmsConfig;
    try {
      resolved = { ...this.opts.resolve(parsed.data) };
      delete resolved.floor;
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'persisted alarm rules could not be resolved: using the configured rules');
      back('persisted remote rules unresolvable: configured rules apply');
      return;
    }
    // A set persisted by an older version (or under a weaker floor) is checked again.
    const crossed = [...plausibilityViolations(resolved), ...floorViolations(resolved, this.floor)];
    if (crossed.length > 0) {
      this.opts.log.error({ version: stored.version, reasons: crossed.slice(0, 20) }, 'persisted remote alarm rules cross the safety floor: using the configured rules');
      back('persisted remote rules cross the safety floor: configured rules apply');
      return;
    }
    this.rules = resolved;
    this.section = parsed.data;
    this.opts.log.info({ version: this.ver }, 'remote alarm rules restored');
  }
}

function refuse(reasons: string[]): RulesResult {
  return { ok: false, error: reasons.join('; '), reasons };
}

function hash(c: AlarmsConfig): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 32);
}
