/**
 * A short, bounded summary of what changed between two rule sets, for the rule-change history,
 * the log and the retained `alarms/rules` topic: `rules.spo2.low.levels[0].limit: 88 → 90`.
 * Clinical `source` texts and the local floor are left out (the floor never changes remotely).
 */
export const MAX_DIFF_LINES = 20;

export function diffRules(before: unknown, after: unknown, max = MAX_DIFF_LINES): string[] {
  const out: string[] = [];
  let more = 0;
  const add = (line: string): void => { if (out.length < max) out.push(line); else more++; };
  walk(before, after, '', add);
  if (more > 0) out.push(`… and ${more} more`);
  return out;
}

const SKIP = new Set(['source', 'floor']);

function walk(a: unknown, b: unknown, path: string, add: (line: string) => void): void {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) if (!SKIP.has(k)) walk(a[k], b[k], path ? `${path}.${k}` : k, add);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, add);
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a === undefined) add(`${path}: added`);
  else if (b === undefined) add(`${path}: removed`);
  else add(`${path}: ${show(a)} → ${show(b)}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
