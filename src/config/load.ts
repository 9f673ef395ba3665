import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { describeIssue } from './describe-issue.js';
import { applyEnvOverrides, type EnvOverride } from './env.js';
import { LineIndex } from './line-index.js';
import { configSchema, MAX_DEVICES, type Config } from './schema.js';
import { aliasProblems, nestingProblem } from './yaml-guard.js';

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

/** Largest config file read (a real one is a few kB; 64 devices with all options ~40 kB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most problems reported for one file; the rest are counted in a last line. */
export const MAX_PROBLEMS = 100;
/** yaml's own guard while turning the document into data (after yaml-guard.ts checked it). */
const MAX_ALIAS_COUNT = 100;

/** `devices[2].address` style path from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/**
 * Parse YAML text, apply env overrides, validate. Reports every problem at once (up to
 * MAX_PROBLEMS), each with its path and line. Never throws on any input.
 */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = {}, source = 'config'): LoadResult {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) return fail([tooLarge(source, bytes)]);
  const lines = new LineIndex(text);
  const deep = nestingProblem(text, lines);
  if (deep) return fail([deep]);
  let doc: Document;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return fail([{ path: '(file)', message: `${source}: YAML not readable: ${(err as Error).message}` }]);
  }
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((e) => ({ path: '(file)', message: `${source}: YAML ${e.message.split('\n')[0] ?? ''}`, line: e.linePos?.[0]?.line })));
  }
  const aliases = aliasProblems(doc, lines);
  if (aliases.length > 0) return fail(aliases);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return fail([{ path: '(file)', message: `${source}: YAML ${(err as Error).message}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail([{ path: '(root)', message: 'the file must be a YAML mapping with hub, storage, uplink, devices ...' }]);
  }
  const devices = (raw as { devices?: unknown }).devices;
  if (Array.isArray(devices) && devices.length > MAX_DEVICES) {
    // refused before validating thousands of entries one by one
    return fail([{ path: 'devices', message: `at most ${MAX_DEVICES} devices per hub (got ${devices.length})`, line: lineOf(doc, lines, ['devices']) }]);
  }
  const { applied, unknown } = applyEnvOverrides(raw as Record<string, unknown>, env, configSchema as unknown as z.ZodType);
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const problems: ConfigProblem[] = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => located(doc, lines, applied, [...i.path, k], 'unknown key'))
        : [located(doc, lines, applied, i.path, describeIssue(i))],
    );
    return fail(problems);
  }
  const warnings = unknown.map((v) => `environment variable ${v} matches no config setting and was ignored`);
  return { ok: true, config: deepFreeze(result.data), overrides: applied.map((a) => a.variable), warnings };
}

/**
 * Reads a config file, at most MAX_CONFIG_BYTES: a larger file (or an endless one such as a
 * device node) is refused without reading the rest.
 */
export function readConfigText(file: string): { ok: true; text: string } | { ok: false; problems: ConfigProblem[] } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    return fail([{ path: '(file)', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return fail([{ path: '(file)', message: `cannot read ${file}: EISDIR` }]);
    if (st.size > MAX_CONFIG_BYTES) return fail([tooLarge(file, st.size)]);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > MAX_CONFIG_BYTES) return fail([tooLarge(file, MAX_CONFIG_BYTES, true)]);
    }
    return { ok: true, text: buf.toString('utf8', 0, n) };
  } catch (err) {
    return fail([{ path: '(file)', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  } finally {
    closeSync(fd);
  }
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const r = readConfigText(file);
  if (!r.ok) return r;
  return parseConfig(r.text, env, file);
}

function fail(problems: ConfigProblem[]): { ok: false; problems: ConfigProblem[] } {
  if (problems.length <= MAX_PROBLEMS) return { ok: false, problems };
  return { ok: false, problems: [...problems.slice(0, MAX_PROBLEMS), { path: '(file)', message: `and ${problems.length - MAX_PROBLEMS} more problems` }] };
}

function tooLarge(source: string, bytes: number, atLeast = false): ConfigProblem {
  return { path: '(file)', message: `${source} is ${atLeast ? 'more than ' : ''}${bytes} bytes; a config file may be at most ${MAX_CONFIG_BYTES} bytes (1 MiB)` };
}

/** The problem at `path`; a value set by an environment variable names the variable instead of a line. */
function located(doc: Document, lines: LineIndex, applied: EnvOverride[], path: readonly PropertyKey[], message: string): ConfigProblem {
  const p = formatPath(path);
  const keys = path.filter((k): k is string => typeof k === 'string');
  const env = applied.find((a) => a.path.length <= keys.length && a.path.every((k, n) => path[n] === k));
  if (env) return { path: p, message: `${message} (from ${env.variable})` };
  return { path: p, message, line: lineOf(doc, lines, path) };
}

function lineOf(doc: Document, lines: LineIndex, path: readonly PropertyKey[]): number | undefined {
  try {
    const keys = path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lines.line(node.range[0]);
      if (n === 0 && isMap(doc.contents)) return undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  }
  return o;
}
