import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ErrorCode, HubError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { alarmsSchema, formatIssues, type AlarmsConfig } from './config-schema.js';

/**
 * The shipped default rules (config/alarms.default.yaml) and how a config section combines with
 * them. The semantics of `mode: merge | replace` are documented on alarmsSchema.
 */

export function defaultAlarmsPath(): string {
  const p = join(packageRoot(), 'config', 'alarms.default.yaml');
  if (!existsSync(p)) throw new HubError(ErrorCode.AlarmConfigInvalid, `shipped alarm defaults not found at ${p}`);
  return p;
}

/** Parses and validates an alarm rule file's text. Throws a HubError naming every problem. */
export function parseAlarmsYaml(text: string, what: string): AlarmsConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new HubError(ErrorCode.AlarmConfigInvalid, `${what} is not valid YAML: ${(err as Error).message}`);
  }
  const res = alarmsSchema.safeParse(raw ?? {});
  if (!res.success) throw new HubError(ErrorCode.AlarmConfigInvalid, `${what} is invalid: ${formatIssues(res.error)}`);
  return res.data;
}

let cached: AlarmsConfig | undefined;

/** The shipped defaults, validated. Throws a clear error when the shipped file is invalid. */
export function loadDefaultAlarms(): AlarmsConfig {
  if (!cached) {
    const path = defaultAlarmsPath();
    cached = parseAlarmsYaml(readFileSync(path, 'utf8'), `shipped alarm defaults ${path}`);
  }
  return structuredClone(cached);
}

/**
 * The rule set in force: the shipped defaults when the section is absent; otherwise the section
 * merged over the defaults (mode merge: per metric, a named metric replaces the default rule as a
 * whole; technical priorities per code) or alone (mode replace).
 */
export function resolveAlarms(configSection?: AlarmsConfig, defaults: AlarmsConfig = loadDefaultAlarms()): AlarmsConfig {
  if (!configSection) return defaults;
  if (configSection.mode === 'replace') return structuredClone(configSection);
  return {
    ...structuredClone(configSection),
    rules: { ...defaults.rules, ...structuredClone(configSection.rules) },
    technical: { ...defaults.technical, ...configSection.technical },
  };
}
