/**
 * `CAREHUB_<PATH>` environment overrides. The path follows the schema in upper snake case:
 * `CAREHUB_UPLINK_MQTT_URL` sets `uplink.mqtt.url`, `CAREHUB_STORAGE_MAX_BYTES` sets
 * `storage.maxBytes`. Values are parsed as JSON when they look like JSON (numbers, booleans),
 * else taken as strings. `CAREHUB_CONFIG` (the file path) and `CAREHUB_STATE_DIR` (last-known-good config) are not overrides.
 */
import type { z } from 'zod';

const RESERVED = new Set(['CAREHUB_CONFIG', 'CAREHUB_FROM_SOURCE', 'CAREHUB_STATE_DIR']);

export interface EnvOverride {
  variable: string;
  path: string[];
}

/** Map of env token paths (UPLINK_MQTT_URL) to schema key paths, derived from the schema. */
export function overridablePaths(schema: z.ZodType): Map<string, string[]> {
  const out = new Map<string, string[]>();
  walk(schema, [], out);
  return out;
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  for (let i = 0; i < 10; i++) {
    const def = (cur as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } }).def;
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'prefault' || def.type === 'nullable') && def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else break;
  }
  return cur;
}

function walk(schema: z.ZodType, path: string[], out: Map<string, string[]>): void {
  const s = unwrap(schema);
  const def = (s as unknown as { def: { type: string; shape?: Record<string, z.ZodType> } }).def;
  if (def.type === 'object' && def.shape) {
    for (const [k, v] of Object.entries(def.shape)) walk(v, [...path, k], out);
    return;
  }
  if (path.length > 0 && def.type !== 'array' && def.type !== 'record') out.set(path.map(token).join('_'), path);
}

function token(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  schema: z.ZodType,
): { applied: EnvOverride[]; unknown: string[] } {
  const paths = overridablePaths(schema);
  const applied: EnvOverride[] = [];
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('CAREHUB_') || RESERVED.has(name) || value === undefined) continue;
    const path = paths.get(name.slice('CAREHUB_'.length));
    if (!path) { unknown.push(name); continue; }
    setPath(raw, path, parseValue(value));
    applied.push({ variable: name, path });
  }
  return { applied, unknown };
}

function parseValue(v: string): unknown {
  const t = v.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return v;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur: Record<string, unknown> = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}
