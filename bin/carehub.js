#!/usr/bin/env node
// Entry point. Uses the compiled build when present (production, systemd), otherwise runs
// the TypeScript sources through tsx (development, `npm start` right after `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'main.js');
if (existsSync(built) && process.env.CAREHUB_FROM_SOURCE !== '1') {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'main.ts')).href);
}
