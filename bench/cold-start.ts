/**
 * Cold start: `carehub run` from the compiled build (as the unit starts it: node with the flags
 * and Environment= of systemd/carehub.service, read by unit-runtime.ts) until the alarm engine runs and the devices
 * are connecting: the first driver log line (local start-up starts the store, then the alarm
 * engine, then the pipeline, then the drivers). Also `hub started` (uplink, schedule, control
 * socket and page done). Wall time from spawn, as a parent sees it; `runs` runs, median and range.
 * The build is compiled once (packaging/tsconfig.json, as `npm run package` does) into a temp
 * copy of the package layout. Run alone: `node --import tsx bench/cold-start.ts [runs]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { unitRuntime } from './unit-runtime.js';

const repo = resolve(import.meta.dirname, '..');

function compile(dir: string): string {
  const app = join(dir, 'carehub');
  mkdirSync(join(app, 'bin'), { recursive: true });
  const r = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'packaging/tsconfig.json'), '--outDir', join(app, 'dist')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`);
  copyFileSync(join(repo, 'bin/carehub.js'), join(app, 'bin/carehub.js'));
  copyFileSync(join(repo, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(repo, 'config'), join(app, 'config'));
  symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'));
  return app;
}

function config(dir: string): string {
  const f = join(dir, 'carehub.yaml');
  writeFileSync(f, `hub: { id: hub-cold }
storage: { path: ${join(dir, 'carehub.db')} }
uplink:
  mqtt: { url: "mqtt://127.0.0.1:9" }
devices:
  - { id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }
  - { id: cgm-1, kind: cgm, transport: ble, simulate: normal }
local: { pagePort: 0, controlSocket: ${join(dir, 'control.sock')}, sound: false }
log: { level: info }
`);
  return f;
}

async function once(app: string, cfg: string): Promise<{ ready: number; started: number }> {
  const t0 = performance.now();
  const unit = unitRuntime();
  const p = spawn(process.execPath, [...unit.nodeFlags, join(app, 'bin/carehub.js'), 'run', '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...unit.env, CAREHUB_FROM_SOURCE: '' } });
  let ready = NaN;
  let started = NaN;
  const tail: string[] = [];
  const done = new Promise<void>((res, rej) => {
    const timer = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`no start within 30 s:\n${tail.join('\n')}`)); }, 30_000);
    createInterface({ input: p.stderr }).on('line', (line) => {
      tail.push(line); if (tail.length > 20) tail.shift();
      if (Number.isNaN(ready) && line.includes('"ns":"driver:')) ready = performance.now() - t0;
      if (Number.isNaN(started) && line.includes('"msg":"hub started"')) started = performance.now() - t0;
      if (!Number.isNaN(ready) && !Number.isNaN(started)) { clearTimeout(timer); res(); }
    });
  });
  try {
    await done;
  } finally {
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
  return { ready, started };
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

export async function benchColdStart(runs = 5): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-cold-'));
  try {
    const app = compile(dir);
    const cfg = config(dir);
    await once(app, cfg); // creates the database and warms the page cache: a reboot's second start
    const r: Array<{ ready: number; started: number }> = [];
    for (let i = 0; i < runs; i++) r.push(await once(app, cfg));
    const ready = r.map((x) => x.ready);
    const started = r.map((x) => x.started);
    return {
      cold_start_ms: Math.round(median(ready)),
      cold_start_min_ms: Math.round(Math.min(...ready)),
      cold_start_max_ms: Math.round(Math.max(...ready)),
      cold_start_hub_started_ms: Math.round(median(started)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.argv[2] ?? 5);
  console.log(JSON.stringify(await benchColdStart(runs), null, 2));
}
