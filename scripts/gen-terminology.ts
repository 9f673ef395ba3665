/**
 * Generates docs/TERMINOLOGY.md from the metric catalogue's terminology table
 * (src/core/metrics/terminology.ts). `npm run terminology` writes; `--check` exits 1 when stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTerminology } from '../src/core/metrics/terminology-doc.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = join(root, 'docs', 'TERMINOLOGY.md');
const want = renderTerminology();
const have = (() => { try { return readFileSync(path, 'utf8'); } catch { return ''; } })();
if (have === want) {
  console.log('docs/TERMINOLOGY.md up to date');
} else if (process.argv.includes('--check')) {
  console.error('docs/TERMINOLOGY.md is stale: run npm run terminology');
  process.exit(1);
} else {
  writeFileSync(path, want);
  console.log('regenerated docs/TERMINOLOGY.md');
}
