#!/usr/bin/env node
// Entry point. Uses the compiled build when present (production, systemd), otherwise runs
// the TypeScript sources through tsx (development, `npm start` right after `npm ci`).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// An installed package (scripts/package-deb.sh) records the Node ABI its native modules were
// built for; another Node would fail later with a cryptic dlopen error, so refuse it here.
const abiFile = join(root, 'node-abi');
if (existsSync(abiFile)) {
  const [abi = '', node = '?', platform = '?'] = readFileSync(abiFile, 'utf8').trim().split(/\s+/);
  if (abi !== process.versions.modules) {
    process.stderr.write(`carehub: this installation was built for Node ${node} (ABI ${abi}, ${platform}); ` +
      `this is Node ${process.version} (ABI ${process.versions.modules}). Install Node ${node.split('.')[0]}.x, ` +
      `or build the package on this machine (npm run package) and install that.\n`);
    process.exit(1);
  }
}
const built = join(root, 'dist', 'src', 'main.js');
if (existsSync(built) && process.env.CAREHUB_FROM_SOURCE !== '1') {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'main.ts')).href);
}
