import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { formatPath, type ConfigProblem } from '../config/load.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

export type ScenarioLoad = { ok: true; scenario: Scenario } | { ok: false; problems: ConfigProblem[] };

/** Parse and validate a scenario file; every problem with its path (`timeline[2].device: ...`). */
export function parseScenario(text: string, source = 'scenario'): ScenarioLoad {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ path: '(file)', message: `${source}: YAML ${e.message.split('\n')[0] ?? ''}`, ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}) })) };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: '(root)', message: 'a scenario is a YAML mapping with name, duration, devices, timeline, expect' }] };
  }
  const r = scenarioSchema.safeParse(raw);
  if (r.success) return { ok: true, scenario: r.data };
  // an entry with only an unknown key already says so; "exactly one expectation, got 0" would repeat it
  const unknownAt = new Set(r.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)));
  const issues = r.error.issues.filter((i) => !(i.code === 'custom' && i.message.startsWith('exactly one expectation') && unknownAt.has(formatPath(i.path))));
  const problems = issues.flatMap((i): ConfigProblem[] => {
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => withLine(doc, text, [...i.path, k], i.message.startsWith('unsupported') ? i.message : 'unknown key'));
    const msg = i.code === 'invalid_type' && i.input === undefined ? `required (${i.expected})` : i.message;
    return [withLine(doc, text, i.path, msg)];
  });
  return { ok: false, problems };
}

export function loadScenarioFile(file: string): ScenarioLoad {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  return parseScenario(text, file);
}

function withLine(doc: ReturnType<typeof parseDocument>, text: string, path: readonly PropertyKey[], message: string): ConfigProblem {
  const keys = path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
  for (let n = keys.length; n > 0; n--) {
    const node: unknown = doc.getIn(keys.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) && typeof node.range[0] === 'number') {
      return { path: formatPath(path), message, line: lineAt(text, node.range[0]) };
    }
  }
  return { path: formatPath(path), message };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
