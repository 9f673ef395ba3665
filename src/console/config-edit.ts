import { createHash } from 'node:crypto';
import { replaceKeepingOwner } from '../cli/pair.js';
import { parseConfig, readConfigText, type ConfigProblem } from '../config/load.js';
import { parseDocument } from 'yaml';
import { LineIndex } from '../config/line-index.js';
import { preflight } from '../config/preflight.js';
import { lineDiff, type DiffLine } from './text-diff.js';

/** What the configuration page shows of a text: every problem (schema, then preflight) and warnings. */
export interface ConfigCheck {
  ok: boolean;
  problems: ConfigProblem[];
  warnings: string[];
}

/** Shown instead of a password written into a URL (`mqtts://user:PASSWORD@host`). */
export const REDACTED = '***';
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:@/]+):([^\s@/]+)@/gi;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The text with passwords inside URLs replaced by REDACTED (credential files are only named, never read). */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}

/** The edited text with each `user:***@` put back to that user's password in the current file. */
function unredact(edited: string, current: string): { text: string; missing: string[] } {
  const known = new Map<string, string>();
  for (const m of current.matchAll(URL_PASSWORD)) known.set(`${m[1]}${m[2]}`, m[3]!);
  const missing: string[] = [];
  const text = edited.replace(URL_PASSWORD, (all, scheme: string, user: string, pass: string) => {
    if (pass !== REDACTED) return all;
    const p = known.get(`${scheme}${user}`);
    if (p === undefined) { missing.push(`${scheme}${user}`); return all; }
    return `${scheme}${user}:${p}@`;
  });
  return { text, missing };
}

export type ApplyResult =
  | { ok: true; sha256: string; changedLines: number }
  | { ok: false; status: number; error: string; check?: ConfigCheck };

/**
 * The configuration page's work on the hub's config file: view it (passwords in URLs redacted),
 * check an edited text with the code `carehub check-config` runs (parseConfig, then preflight),
 * diff it against the file, and apply it: only a text that checks clean, only over the version
 * the technician edited, written atomically with the file's owner, group and mode (the writer of
 * `carehub pair`). The running hub keeps its configuration until restarted.
 */
export class ConfigEditor {
  constructor(readonly file: string, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The file as the page shows it, and the hash of the real text (the base of an edit). */
  view(): { ok: true; text: string; sha256: string } | { ok: false; error: string } {
    const r = readConfigText(this.file);
    if (!r.ok) return { ok: false, error: r.problems.map((p) => p.message).join('; ') };
    return { ok: true, text: redactText(r.text), sha256: sha256(r.text) };
  }

  check(edited: string): ConfigCheck & { diff: DiffLine[] } {
    const cur = readConfigText(this.file);
    const current = cur.ok ? cur.text : '';
    const { text, missing } = unredact(edited, current);
    return { ...this.checkText(text, missing), diff: lineDiff(redactText(current), redactText(text)) };
  }

  /** The file as it is now, checked: what a restart would run on. */
  checkFile(): ConfigCheck {
    const cur = readConfigText(this.file);
    if (!cur.ok) return { ok: false, problems: cur.problems, warnings: [] };
    return this.checkText(cur.text, []);
  }

  apply(edited: string, base: string): ApplyResult {
    const cur = readConfigText(this.file);
    if (!cur.ok) return { ok: false, status: 500, error: cur.problems.map((p) => p.message).join('; ') };
    if (sha256(cur.text) !== base) return { ok: false, status: 409, error: 'the file changed since you opened it: reload the page and make your change again' };
    const { text, missing } = unredact(edited, cur.text);
    const check = this.checkText(text, missing);
    if (!check.ok) return { ok: false, status: 422, error: 'the configuration has problems; nothing was written', check };
    const changedLines = lineDiff(cur.text, text).filter((d) => d.op !== ' ').length;
    const problem = replaceKeepingOwner(this.file, text);
    if (problem) return { ok: false, status: 500, error: `${problem}; the file is unchanged` };
    return { ok: true, sha256: sha256(text), changedLines };
  }

  private checkText(text: string, missing: string[]): ConfigCheck {
    const lost = missing.map((u): ConfigProblem => ({ path: '(file)', message: `the password of ${u} is shown as ${REDACTED} and is not in the current file: type it in` }));
    const r = parseConfig(text, this.env, this.file);
    if (!r.ok) return { ok: false, problems: [...lost, ...r.problems], warnings: [] };
    const pre = preflight(r.config);
    const lineOf = pre.problems.length ? lineFinder(text) : () => undefined;
    const problems = [...lost, ...pre.problems.map(({ path, message }): ConfigProblem => {
      const line = lineOf(path);
      return line === undefined ? { path, message } : { path, message, line };
    })];
    return { ok: problems.length === 0, problems, warnings: [...r.warnings, ...pre.warnings] };
  }
}

/** The line of a `devices[2].path` style path in the text (preflight problems carry none of their own). */
function lineFinder(text: string): (path: string) => number | undefined {
  const doc = parseDocument(text);
  const lines = new LineIndex(text);
  return (path) => {
    const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lines.line(node.range[0]);
    }
    return undefined;
  };
}
