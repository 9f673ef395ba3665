import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../core/package-root.js';

export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** The console's own files (src/console/public) and uPlot from node_modules: no CDN, no build step. */
const OWN = {
  'app.js': 'text/javascript', 'device.js': 'text/javascript', 'common.js': 'text/javascript', 'style.css': 'text/css',
  'config.js': 'text/javascript', 'history.js': 'text/javascript', 'diagnostics.js': 'text/javascript',
  'wizard.js': 'text/javascript',
} as const;

/**
 * Every asset read and gzipped once at start (a handful of small files): a request is a map
 * look-up, never a file system access, and no path from the URL ever reaches the file system.
 */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const add = (name: string, type: string, file: string): void => {
    const body = readFileSync(file);
    const gzip = gzipSync(body, { level: 9 });
    out.set(name, { type: `${type}; charset=utf-8`, body, gzip, etag: `"${body.length.toString(36)}-${hash(body)}"` });
  };
  const dir = join(packageRoot(), 'src', 'console', 'public');
  for (const [name, type] of Object.entries(OWN)) add(name, type, join(dir, name));
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  add('uplot.js', 'text/javascript', join(uplot, 'dist', 'uPlot.iife.min.js'));
  add('uplot.css', 'text/css', join(uplot, 'dist', 'uPlot.min.css'));
  return out;
}

function hash(b: Buffer): string {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619);
  return (h >>> 0).toString(36);
}
