import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { LineIndex } from './line-index.js';
import { parseConfig, readConfigText, type ConfigProblem } from './load.js';
import { nestingProblem } from './yaml-guard.js';
import { configSchema, type Config } from './schema.js';

/**
 * The last-known-good configuration. After every clean start (the file validated and passed the
 * preflight) the hub keeps a copy of the config file's text in its state directory; when the
 * file later cannot be read, parsed or validated, `run` monitors with that copy and raises
 * `config_invalid` (high) instead of not starting at all.
 *
 * State directory, first that applies:
 *   1. `$STATE_DIRECTORY` (set by systemd from StateDirectory=carehub: /var/lib/carehub),
 *   2. `$CAREHUB_STATE_DIR`,
 *   3. the folder of `storage.path` (when the config that names it is unreadable: the folder of
 *      `storage.path` as far as the damaged file still says it, then the default /var/lib/carehub).
 * The copy is the file's text, so environment overrides apply to it as to the file.
 */
export const LAST_GOOD_FILE = 'last-good-config.yaml';
const DEFAULT_STORE_DIR = dirname(configSchema.shape.storage.parse(undefined).path);

/** Where the copy is saved after a clean start with `config`. */
export function stateDirFor(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  return envStateDir(env) ?? dirname(config.storage.path);
}

/** Where to look for a copy when the config file is unusable (`text`: what could be read of it). */
export function stateDirCandidates(text: string | null, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = envStateDir(env);
  if (fromEnv) return [fromEnv];
  const out: string[] = [];
  const salvaged = text === null ? null : salvageStoragePath(text);
  if (salvaged) out.push(dirname(salvaged));
  if (!out.includes(DEFAULT_STORE_DIR)) out.push(DEFAULT_STORE_DIR);
  return out;
}

function envStateDir(env: NodeJS.ProcessEnv): string | null {
  // systemd passes a colon-separated list when the unit names several state directories
  const sd = env.STATE_DIRECTORY?.split(':')[0];
  if (sd) return sd;
  return env.CAREHUB_STATE_DIR || null;
}

function salvageStoragePath(text: string): string | null {
  try {
    // the file failed validation: it may be hostile, so the parser's nesting guard comes first
    if (nestingProblem(text, new LineIndex(text))) return null;
    const v: unknown = parseDocument(text).getIn(['storage', 'path']);
    return typeof v === 'string' && v.startsWith('/') ? v : null;
  } catch {
    return null;
  }
}

export type ConfigSource =
  | { kind: 'file'; file: string; text: string }
  | { kind: 'last-good'; file: string; copy: string; savedAt: string; problems: ConfigProblem[] };

export type ResolvedConfig =
  | { ok: true; config: Config; source: ConfigSource; overrides: string[]; warnings: string[] }
  | { ok: false; problems: ConfigProblem[] };

/**
 * The config `run` monitors with: the file when it is usable, else the last-known-good copy (with
 * the file's problems), else nothing (`ok: false` with the file's problems).
 */
export function resolveRunConfig(file: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  let text: string | null = null;
  let problems: ConfigProblem[] = [];
  const read = readConfigText(file); // size-capped: a huge or endless file is refused unread
  if (read.ok) text = read.text;
  else problems = read.problems;
  if (text !== null) {
    const r = parseConfig(text, env, file);
    if (r.ok) return { ok: true, config: r.config, source: { kind: 'file', file, text }, overrides: r.overrides, warnings: r.warnings };
    problems = r.problems;
  }
  for (const dir of stateDirCandidates(text, env)) {
    const copy = join(dir, LAST_GOOD_FILE);
    let saved: string;
    let savedAt: string;
    const r0 = readConfigText(copy);
    if (!r0.ok) continue;
    saved = r0.text;
    try {
      savedAt = statSync(copy).mtime.toISOString();
    } catch {
      continue;
    }
    const r = parseConfig(saved, env, copy);
    if (!r.ok) continue; // a copy this version no longer accepts is no fallback
    return { ok: true, config: r.config, source: { kind: 'last-good', file, copy, savedAt, problems }, overrides: r.overrides, warnings: r.warnings };
  }
  return { ok: false, problems };
}

/**
 * Saves `text` as the last-known-good copy: written to a temporary file (mode 0600), flushed,
 * renamed over the old copy, and the folder flushed, so a power cut leaves the old copy or the
 * new one, never half of one. Unchanged text is not rewritten (SD-card wear). Returns the path.
 */
export function saveLastGood(dir: string, text: string): string {
  const target = join(dir, LAST_GOOD_FILE);
  try {
    if (readFileSync(target, 'utf8') === text) return target;
  } catch {
    // no copy yet
  }
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw err;
  }
  try {
    const d = openSync(dir, 'r');
    try { fsyncSync(d); } finally { closeSync(d); }
  } catch {
    // directory fsync is best effort (not supported everywhere)
  }
  return target;
}
