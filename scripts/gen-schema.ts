/**
 * Generates config/schema.json and the configuration reference in README.md from the one
 * schema in src/config/schema.ts. `npm run schema` writes; `--check` exits 1 when stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { renderJsonSchema, renderReference, replaceReference } from '../src/config/reference.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const schemaPath = join(root, 'config', 'schema.json');
const readmePath = join(root, 'README.md');

const wantSchema = renderJsonSchema();
const readme = readFileSync(readmePath, 'utf8');
const wantReadme = replaceReference(readme, renderReference());

let stale = false;
const haveSchema = (() => { try { return readFileSync(schemaPath, 'utf8'); } catch { return ''; } })();
if (haveSchema !== wantSchema) { stale = true; if (!check) writeFileSync(schemaPath, wantSchema); }
if (readme !== wantReadme) { stale = true; if (!check) writeFileSync(readmePath, wantReadme); }
if (check && stale) {
  console.error('config/schema.json or the README configuration reference is stale: run npm run schema');
  process.exit(1);
}
console.log(stale ? 'regenerated config/schema.json and README reference' : 'schema and reference up to date');
