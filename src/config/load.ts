import { readFileSync } from 'node:fs';
import { parseDocument, isMap } from 'yaml';
import type { z } from 'zod';
import { applyEnvOverrides } from './env.js';
import { configSchema, type Config } from './schema.js';

export interface ConfigProblem {
  /** Path like `devices[2].address`, or `(file)` for problems with the file itself. */
  path: string;
  message: string;
  /** Line in the YAML file when known. */
  line?: number;
}

export type LoadResult =
  | { ok: true; config: Config; overrides: string[]; warnings: string[] }
  | { ok: false; problems: ConfigProblem[] };

/** `devices[2].address` style path from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** Parse YAML text, apply env overrides, validate. Reports every problem at once. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = {}, source = 'config'): LoadResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ path: '(file)', message: `${source}: YAML ${e.message.split('\n')[0] ?? ''}`, line: e.linePos?.[0]?.line })),
    };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: '(root)', message: 'the file must be a YAML mapping with hub, storage, uplink, devices ...' }] };
  }
  const { applied, unknown } = applyEnvOverrides(raw as Record<string, unknown>, env, configSchema as unknown as z.ZodType);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems: ConfigProblem[] = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: 'unknown key', line: lineOf(doc, [...i.path, k]) }))
        : [{ path: formatPath(i.path), message: describeIssue(i), line: lineOf(doc, i.path) }],
    );
    return { ok: false, problems };
  }
  const warnings = unknown.map((v) => `environment variable ${v} matches no config setting and was ignored`);
  return { ok: true, config: deepFreeze(result.data), overrides: applied.map((a) => a.variable), warnings };
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  return parseConfig(text, env, file);
}

function describeIssue(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type' && i.input === undefined) return `required (${i.expected})`;
  return i.message;
}

function lineOf(doc: ReturnType<typeof parseDocument>, path: readonly PropertyKey[]): number | undefined {
  try {
    const keys = path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineAt(doc.toString(), node.range[0]);
      if (n === 0 && isMap(doc.contents)) return undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  }
  return o;
}
