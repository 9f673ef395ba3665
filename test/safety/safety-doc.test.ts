import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/SAFETY.md names a test for every hazard. This keeps it honest: every named test file
// exists, and every quoted test title (after ›, up to an ellipsis) is found in that file or in the
// flows it runs (a `./…-flows.js` module in its folder: the same flows run over more than one stack).
const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'SAFETY.md'), 'utf8');
const rows = doc.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| hazard') && !l.startsWith('|---'));

function withFlows(file: string): string {
  const own = readFileSync(join(root, file), 'utf8');
  const flows = [...own.matchAll(/from '\.\/([\w-]+-flows)\.js'/g)].map((m) => readFileSync(join(root, dirname(file), `${m[1]!}.ts`), 'utf8'));
  return [own, ...flows].join('\n');
}

describe('docs/SAFETY.md', () => {
  it('every hazard row names at least one test', () => {
    expect(rows.length).toBeGreaterThan(40);
    const without = rows.filter((r) => !/`test\/[^`]+\.test\.ts`/.test(r.split('|').slice(-2).join('|')));
    expect(without).toEqual([]);
  });

  it('every named test file exists and every quoted title is in it', () => {
    const missing: string[] = [];
    for (const row of rows) {
      const cell = row.split('|').slice(-2, -1)[0] ?? '';
      for (const part of cell.split(/;\s*/)) {
        const file = /`(test\/[^`]+\.test\.ts)`/.exec(part)?.[1];
        if (!file) continue;
        if (!existsSync(join(root, file))) { missing.push(`${file} (file)`); continue; }
        const text = withFlows(file).replaceAll("\\'", "'");
        for (const m of part.matchAll(/›\s*([^›…;]+)/g)) {
          const title = m[1]!.trim().replace(/\s+\(.*$/, '');
          if (title && !text.includes(title)) missing.push(`${file}: "${title}"`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
