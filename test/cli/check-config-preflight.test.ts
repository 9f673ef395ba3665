import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// check-config refuses what `run` cannot use, beyond the schema: each case below was accepted
// (exit 0) by the old check-config and then broke `run`.
describe('carehub check-config: preflight of what run needs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-ccp-'));
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n');
    writeFileSync(join(dir, 'creds'), 'hub-1:secret\n');
    writeFileSync(join(dir, 'creds-bad'), 'no colon here\n');
    mkdirSync(join(dir, 'a-folder'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, opts: { hub?: string; mqtt?: string; local?: string; schedule?: string }): string => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(f, `hub: { id: hub-1${opts.hub ?? ''} }
storage: { path: ${join(dir, name, 'carehub.db')} }
uplink: { mqtt: ${opts.mqtt ?? '{ url: "mqtt://127.0.0.1:1883" }'} }
local: { controlSocket: ${opts.local ?? join(dir, name, 'control.sock')} }
${opts.schedule ? `schedule: ${opts.schedule}` : ''}
`);
    return f;
  };

  it('exits 0 when everything run needs is there (TLS files readable, folders writable)', () => {
    const r = runCli(['check-config', write('good', { mqtt: `{ url: "mqtts://broker.example:8883", ca: ${join(dir, 'ca.crt')}, credentialsFile: ${join(dir, 'creds')} }` })]);
    expect(r.stdout).toContain('valid');
    expect(r.code).toBe(0);
  });

  it('exits 2 on a bad cron expression, naming the setting', () => {
    const r = runCli(['check-config', write('cron', { schedule: '{ housekeeping: "every 15 minutes" }' })]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/schedule\.housekeeping: .*not a valid cron expression/);
  });

  it('exits 2 on an unknown time zone', () => {
    const r = runCli(['check-config', write('tz', { hub: ', timezone: Mars/Olympus_Mons' })]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/hub\.timezone: unknown time zone "Mars\/Olympus_Mons"/);
  });

  it('exits 2 on missing or unreadable TLS files, listing every one, and on a malformed credentials file', () => {
    const r = runCli(['check-config', write('tls', { mqtt: `{ url: "mqtts://broker.example:8883", ca: ${join(dir, 'missing-ca.crt')}, cert: ${join(dir, 'a-folder')}, key: ${join(dir, 'missing.key')}, credentialsFile: ${join(dir, 'creds-bad')} }` })]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/uplink\.mqtt\.ca: cannot read .*missing-ca\.crt: ENOENT/);
    expect(r.stdout).toMatch(/uplink\.mqtt\.cert: cannot read .*a-folder: EISDIR/);
    expect(r.stdout).toMatch(/uplink\.mqtt\.key: cannot read .*missing\.key: ENOENT/);
    expect(r.stdout).toMatch(/uplink\.mqtt\.credentialsFile: .*username:password/);
    expect(r.stdout).toContain('4 problems');
  });

  it('exits 2 on plain TCP to a non-loopback broker (the uplink policy), 0 when allowInsecure is set', () => {
    const bad = runCli(['check-config', write('plain', { mqtt: '{ url: "mqtt://broker.example:1883" }' })]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/uplink\.mqtt\.url: refusing plain mqtt:\/\/ to non-loopback host broker\.example/);
    const allowed = runCli(['check-config', write('plain-ok', { mqtt: '{ url: "mqtt://broker.example:1883", allowInsecure: true }' })]);
    expect(allowed.code).toBe(0);
  });

  it('exits 2 when the control socket cannot be created: unwritable folder below a file, path too long', () => {
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const under = runCli(['check-config', write('sock', { local: join(dir, 'not-a-dir', 'control.sock') })]);
    expect(under.code).toBe(2);
    expect(under.stdout).toMatch(/local\.controlSocket: .*not-a-dir is not a directory/);
    const long = runCli(['check-config', '--json', write('sock-long', { local: join(dir, 'x'.repeat(120), 'c.sock') })]);
    expect(long.code).toBe(2);
    const j = JSON.parse(long.stdout) as { ok: boolean; problems: Array<{ path: string; message: string }> };
    expect(j.ok).toBe(false);
    expect(j.problems).toContainEqual(expect.objectContaining({ path: 'local.controlSocket', message: expect.stringMatching(/at most 107/) as unknown as string }));
  });
});
