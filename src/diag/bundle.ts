import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { listSerialPorts } from '../transport/serial/list.js';
import { VERSION } from '../version.js';
import { redactConfig, redactStatus, scrubLogLine } from './redact.js';
import { tarGz, type TarEntry } from './tar.js';

/** Bounds of a bundle: it travels over MQTT in chunks and must stay small. */
export const MAX_BUNDLE_BYTES = 1024 * 1024;
export const MAX_LOG_LINES = 500;
export const MAX_LOG_LINE_CHARS = 2000;

/** A part that could not be collected says why instead. */
export type Part<T> = { ok: true; value: T } | { ok: false; why: string };
export const got = <T>(value: T): Part<T> => ({ ok: true, value });
export const missing = (why: string): Part<never> => ({ ok: false, why });

/** What the caller (the CLI, or the running hub for cmd/diag) knows. */
export interface DiagSources {
  config: Part<unknown>;
  /** The answer of `carehub status` (redacted here). */
  status: Part<unknown>;
  store: Part<Record<string, unknown>>;
  integrity: Part<{ ok: boolean; detail: string; ms?: number }>;
}

function json(name: string, p: Part<unknown>): TarEntry {
  return { name, data: `${JSON.stringify(p.ok ? p.value : { unavailable: p.why }, null, 2)}\n` };
}

/** The last carehub journal lines, scrubbed; says why when there is no journal. */
export async function journalLines(): Promise<Part<string[]>> {
  return new Promise((resolve) => {
    execFile('journalctl', ['-u', 'carehub', '-n', String(MAX_LOG_LINES), '-o', 'cat', '--no-pager', '-q'], { timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (err, out) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(missing('journalctl is not available on this system (no systemd journal): no log lines'));
      if (err) return resolve(missing(`journalctl failed: ${err.message.split('\n')[0]}`));
      const lines = out.split('\n').filter(Boolean).slice(-MAX_LOG_LINES);
      let dropped = 0;
      const kept: string[] = [];
      for (const l of lines) {
        const s = scrubLogLine(l);
        if (s === null) dropped++;
        else kept.push(s.length > MAX_LOG_LINE_CHARS ? `${s.slice(0, MAX_LOG_LINE_CHARS)}…` : s);
      }
      if (dropped) kept.push(`{"note":"${dropped} line(s) that were not carehub JSON log lines were left out"}`);
      resolve(kept.length ? got(kept) : missing('the journal holds no carehub lines (or this user may not read it)'));
    });
  });
}

function adapters(): Part<Array<{ name: string; address: string | null }>> {
  try {
    return got(readdirSync('/sys/class/bluetooth').filter((n) => /^hci\d+$/.test(n)).map((name) => {
      let address: string | null = null;
      try { address = readFileSync(`/sys/class/bluetooth/${name}/address`, 'utf8').trim(); } catch { /* not exposed */ }
      return { name, address };
    }));
  } catch {
    return missing('no /sys/class/bluetooth: no Bluetooth adapter (or sysfs not mounted)');
  }
}

function system(): Record<string, unknown> {
  return {
    carehub: VERSION,
    node: process.version,
    nodeAbi: process.versions.modules,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    os: { type: os.type(), release: os.release(), version: os.version() },
    cpus: os.cpus().length || os.availableParallelism(),
    memoryMb: { total: Math.round(os.totalmem() / 1048576), free: Math.round(os.freemem() / 1048576) },
    uptimeS: Math.round(os.uptime()),
    loadavg: os.loadavg(),
    createdAt: new Date().toISOString(),
  };
}

/**
 * A diagnostics bundle (tar.gz): system.json, config.json (redacted), status.json, technical-
 * alarms.json, store.json, integrity.json, serial-ports.json, bluetooth-adapters.json and
 * log.jsonl. Never a reading value, an alarm limit, a patient reference or key material. Log
 * lines are dropped (oldest first) until the bundle fits MAX_BUNDLE_BYTES.
 */
export async function buildBundle(src: DiagSources): Promise<Buffer> {
  const [ports, log] = await Promise.all([
    listSerialPorts().then(got, (err: unknown) => missing(`serial port list failed: ${(err as Error).message}`)),
    journalLines(),
  ]);
  const status = src.status.ok ? redactStatus(src.status.value) : null;
  const fixed: TarEntry[] = [
    { name: 'carehub-diag/README.txt', data: 'carehub diagnostics bundle: no reading values, alarm limits, patient references or key material.\nEach .json file holds {"unavailable": why} when that part could not be collected.\n' },
    json('carehub-diag/system.json', got(system())),
    json('carehub-diag/config.json', src.config.ok ? got(redactConfig(src.config.value)) : src.config),
    json('carehub-diag/status.json', status ? got(status.status) : src.status),
    json('carehub-diag/technical-alarms.json', status ? got(status.technicalAlarms) : src.status),
    json('carehub-diag/store.json', src.store),
    json('carehub-diag/integrity.json', src.integrity),
    json('carehub-diag/serial-ports.json', ports),
    json('carehub-diag/bluetooth-adapters.json', adapters()),
  ];
  let lines = log.ok ? log.value : [JSON.stringify({ unavailable: log.why })];
  for (;;) {
    const bundle = tarGz([...fixed, { name: 'carehub-diag/log.jsonl', data: lines.length ? `${lines.join('\n')}\n` : '' }]);
    if (bundle.length <= MAX_BUNDLE_BYTES || lines.length === 0) return bundle;
    lines = lines.slice(Math.ceil(lines.length / 2));
  }
}
