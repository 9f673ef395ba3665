import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './core/package-root.js';

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** carehub's version, from package.json. */
export const VERSION = readVersion();
