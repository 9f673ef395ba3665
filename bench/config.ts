/**
 * check-config speed: reading, parsing and validating a 1 MB config file (the largest accepted,
 * MAX_CONFIG_BYTES = 1 MiB), as `carehub check-config` and `run` do (loadConfigFile). Two files:
 *  - worst: 1 MB of YAML structure (about 8,400 device entries, block style), refused at the
 *    64-device cap only after the whole document is parsed: YAML parsing dominates;
 *  - valid: 64 fully specified devices padded with comments to 1 MB.
 * Each is timed `runs` times in one warm process; median and range in ms.
 * Run alone: `node --import tsx bench/config.ts [runs]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigFile, MAX_CONFIG_BYTES } from '../src/config/load.js';

const HEAD = `version: 1
hub:
  id: hub-0001
  timezone: Europe/Copenhagen
storage:
  path: /var/lib/carehub/carehub.db
  maxBytes: 512MB
uplink:
  mqtt:
    url: mqtts://broker.region.example:8883
    ca: /etc/carehub/tls/ca.crt
    cert: /etc/carehub/tls/hub.crt
    key: /etc/carehub/tls/hub.key
devices:
`;

function device(i: number): string {
  const mac = (i % 256).toString(16).padStart(2, '0').toUpperCase();
  return `  - id: oxi-${i}
    kind: oximeter
    transport: ble
    address: "00:1C:05:FF:4E:${mac}"
    name: Finger oximeter ${i}
    options:
      readingRateHz: 1
      waveform: false
`;
}

export function worstFile(): string {
  let t = HEAD;
  for (let i = 0; t.length < 1_000_000; i++) t += device(i);
  return t;
}

export function validFile(): string {
  let t = HEAD + Array.from({ length: 64 }, (_, i) => device(i)).join('');
  const pad = '# notes of the installer about this home, the patient\'s devices and their placement\n';
  while (t.length + pad.length < 1_000_000) t += pad;
  return t;
}

function stats(ms: number[]): { median: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x);
  return { median: r(s[Math.floor(s.length / 2)] ?? 0), min: r(s[0] ?? 0), max: r(s[s.length - 1] ?? 0) };
}

export async function benchConfig(runs = 7): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-config-bench-'));
  try {
    const files = { worst: join(dir, 'worst.yaml'), valid: join(dir, 'valid.yaml') };
    writeFileSync(files.worst, worstFile());
    writeFileSync(files.valid, validFile());
    const time = (file: string, wantOk: boolean): number[] => {
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = loadConfigFile(file, {});
        out.push(performance.now() - t0);
        if (r.ok !== wantOk) throw new Error(`${file}: unexpected result ${JSON.stringify(r.ok ? 'ok' : r.problems.slice(0, 2))}`);
      }
      return out;
    };
    const worst = stats(time(files.worst, false));
    const valid = stats(time(files.valid, true));
    return {
      config_check_1mb_ms: worst.median,
      config_check_1mb_range_ms: `${worst.min}-${worst.max}`,
      config_check_1mb_valid_ms: valid.median,
      config_check_1mb_valid_range_ms: `${valid.min}-${valid.max}`,
      config_check_runs: runs,
      config_max_bytes: MAX_CONFIG_BYTES,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchConfig(Number(process.argv[2] ?? 7)).then((r) => { console.log(JSON.stringify(r)); }, (e: unknown) => { console.error(e); process.exit(1); });
}
