import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGz } from '../../src/diag/tar.js';
import { redactConfig, REDACTED } from '../../src/diag/redact.js';
import { DIAG_CHUNK_BYTES } from '../../src/hub/diag-command.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { HubProcess } from '../helpers/hub-process.js';
import { activeAlarms, isSpo2Alarm, startupConfig, waitForAlarm } from '../safety/startup-helpers.js';

const PASSWORD = 'S3cret-diag-Passw0rd';
const PATIENT = '0101709999';

let dir: string;
let broker: TestBroker;
let hub: HubProcess;
let sock: string;
let pem: string;
let alarmText: string;

function extract(bundle: Buffer, name: string): Record<string, string> {
  const to = join(dir, name);
  mkdirSync(to);
  writeFileSync(join(to, 'b.tar.gz'), bundle);
  const r = spawnSync('tar', ['-xzf', 'b.tar.gz'], { cwd: to, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const files: Record<string, string> = {};
  for (const f of readdirSync(join(to, 'carehub-diag'))) files[f] = readFileSync(join(to, 'carehub-diag', f), 'utf8');
  return files;
}

/** Everything the bundle must never contain, checked over every file. */
function assertNoPatientDataOrKeys(files: Record<string, string>): void {
  const all = Object.values(files).join('\n');
  const keyBody = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  expect(all).not.toContain(keyBody.slice(0, 40));
  expect(all).not.toContain('PRIVATE KEY');
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(PATIENT);
  expect(all).not.toMatch(/"(value|limit|last|payload)"\s*:/);
  expect(all).not.toContain(alarmText);
  // the simulator's readings, as stored: none of their ids or payloads appear
  const db = new Database(join(dir, 'carehub.db'), { readonly: true });
  const rows = db.prepare('SELECT uid, payload FROM outbox WHERE type = 0 LIMIT 200').all() as Array<{ uid: string; payload: string }>;
  db.close();
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(all).not.toContain(r.uid);
    const values = [...r.payload.matchAll(/"value":(-?[\d.]+)/g)].map((m) => `"value":${m[1]}`);
    for (const v of values) expect(all).not.toContain(v);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carehub-diag-'));
  broker = await startBroker();
  pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(join(dir, 'hub.key'), pem, { mode: 0o600 });
  writeFileSync(join(dir, 'credentials'), `hubuser:${PASSWORD}\n`, { mode: 0o600 });
  const cfg = startupConfig(dir, { url: broker.url, protocolVersion: 5, hub: '-diag', mqtt: `, credentialsFile: ${join(dir, 'credentials')}` });
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('  batchMaxDelayMs: 50', `  batchMaxDelayMs: 50\n  fhir: { patient: { identifier: { system: "urn:oid:1.2.208.176.1.2", value: "${PATIENT}" } } }`));
  sock = join(dir, 'control.sock');
  hub = new HubProcess(cfg);
  hub.start();
  const a = await waitForAlarm(sock, isSpo2Alarm, 45_000, 'the simulated desaturation alarm', () => hub.log);
  alarmText = a.text;
  expect((await activeAlarms(sock)).length).toBeGreaterThan(0);
}, 90_000);

afterAll(async () => {
  if (hub?.running) { hub.signal('SIGTERM'); await hub.exited(20_000).catch(() => undefined); }
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('diagnostics without patient data', () => {
  it('the tar writer produces a ustar archive that tar extracts byte for byte', () => {
    const big = Buffer.alloc(70_000, 7);
    const files = extract(tarGz([{ name: 'carehub-diag/a.txt', data: 'hello\n' }, { name: 'carehub-diag/b.bin', data: big }]), 'tar');
    expect(files['a.txt']).toBe('hello\n');
    expect(Buffer.from(files['b.bin']!, 'utf8').length).toBe(70_000);
    expect(() => tarGz([{ name: `${'x'.repeat(101)}`, data: '' }])).toThrow(/unusable entry name/);
    expect(() => tarGz([{ name: '../escape', data: '' }])).toThrow(/unusable entry name/);
  });

  it('config redaction: patient block and secrets replaced, key paths kept', () => {
    const r = redactConfig({ uplink: { mqtt: { key: '/etc/carehub/tls/hub.key', password: 'x', credentialsFile: '/etc/c' }, fhir: { patient: { reference: 'Patient/1' } } } }) as { uplink: { mqtt: Record<string, string>; fhir: Record<string, unknown> } };
    expect(r.uplink.mqtt).toEqual({ key: '/etc/carehub/tls/hub.key', password: REDACTED, credentialsFile: '/etc/c' });
    expect(r.uplink.fhir.patient).toBe(REDACTED);
  });

  it('`carehub diag --out FILE` on a running hub: every part present, no values, patient references or key material', () => {
    const out = join(dir, 'bundle.tar.gz');
    const r = spawnSync(process.execPath, ['bin/carehub.js', 'diag', '--out', out, '--config', join(dir, 'carehub.yaml')], { encoding: 'utf8', env: { ...process.env, CAREHUB_FROM_SOURCE: '1' }, timeout: 60_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(out);
    const files = extract(readFileSync(out), 'cli');
    for (const f of ['README.txt', 'system.json', 'config.json', 'status.json', 'technical-alarms.json', 'store.json', 'integrity.json', 'serial-ports.json', 'bluetooth-adapters.json', 'log.jsonl']) expect(Object.keys(files)).toContain(f);
    const status = JSON.parse(files['status.json']!) as { hub: string; devices: Array<{ id: string }>; alarms: { physiological: number } };
    expect(status.hub).toBe('hub-safe-diag');
    expect(status.devices.map((d) => d.id)).toEqual(['oxi-1']);
    expect(status.alarms.physiological).toBeGreaterThan(0); // counted, never shown
    expect(JSON.parse(files['integrity.json']!)).toMatchObject({ ok: true, detail: 'ok' });
    expect(JSON.parse(files['store.json']!)).toMatchObject({ schemaVersion: expect.any(Number) });
    const config = JSON.parse(files['config.json']!) as { uplink: { mqtt: { credentialsFile: string }; fhir: unknown } };
    expect(config.uplink.mqtt.credentialsFile).toBe(join(dir, 'credentials')); // the path, not the file
    expect(config.uplink.fhir).toEqual({ patient: REDACTED });
    expect(JSON.parse(files['system.json']!)).toMatchObject({ node: process.version, nodeAbi: process.versions.modules });
    expect(files['log.jsonl']!.length).toBeGreaterThan(0); // lines, or why there are none (no journal here)
    assertNoPatientDataOrKeys(files);
  }, 60_000);

  it('cmd/diag: the backend fetches the bundle in chunks of at most 32 KiB, checks its SHA-256, same guarantees', async () => {
    const client = connect(broker.url, { protocolVersion: 5, clientId: `backend-${process.pid}` });
    await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
    const base = 'carehub/hub-safe-diag/cmd/diag';
    await client.subscribeAsync(`${base}/reply`, { qos: 1 });
    const replies = new Map<string, Record<string, unknown>>();
    client.on('message', (_t, p) => { const m = JSON.parse(p.toString()) as Record<string, unknown>; replies.set(String(m.id), m); });
    const ask = async (id: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
      await client.publishAsync(base, JSON.stringify({ id, iat: Math.floor(Date.now() / 1000), ...args }), { qos: 1 });
      const end = Date.now() + 30_000;
      while (!replies.has(id)) {
        if (Date.now() > end) throw new Error(`no reply to ${id}; hub log:\n${hub.log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return replies.get(id)!;
    };
    try {
      const first = await ask('d-0', {});
      expect(first.ok, JSON.stringify(first)).toBe(true);
      const chunks = first.chunks as number;
      const parts = [Buffer.from(first.data as string, 'base64')];
      for (let i = 1; i < chunks; i++) {
        const r = await ask(`d-${i}`, { bundle: first.bundle, chunk: i });
        expect(r.ok).toBe(true);
        parts.push(Buffer.from(r.data as string, 'base64'));
      }
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(DIAG_CHUNK_BYTES);
      const bundle = Buffer.concat(parts);
      expect(bundle.length).toBe(first.size);
      expect(createHash('sha256').update(bundle).digest('hex')).toBe(first.sha256);
      const beyond = await ask('d-x', { bundle: first.bundle, chunk: chunks });
      expect(beyond).toMatchObject({ ok: false, error: expect.stringMatching(/out of range/) });
      const stale = await ask('d-y', { bundle: 'not-a-bundle', chunk: 0 });
      expect(stale).toMatchObject({ ok: false, error: expect.stringMatching(/no longer kept/) });
      const files = extract(bundle, 'mqtt');
      expect(JSON.parse(files['status.json']!)).toMatchObject({ hub: 'hub-safe-diag' });
      expect(JSON.parse(files['integrity.json']!)).toMatchObject({ ok: true });
      assertNoPatientDataOrKeys(files);
    } finally {
      await client.endAsync();
    }
  }, 90_000);
});
