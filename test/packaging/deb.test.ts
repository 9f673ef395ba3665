import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { migrate, migrations } from '../../src/store/migrations.js';

/**
 * The Debian package on this machine: built with `npm run package`'s script, checked by lintian,
 * then installed, upgraded, removed and purged with dpkg in the real root (dpkg --root cannot run
 * maintainer scripts without a complete system in the target). Everything the test creates is
 * removed again; a machine with carehub already installed is refused, never touched. The
 * service is never started: systemd is not PID 1 here, which the postinst detects.
 */
const isRoot = process.getuid?.() === 0;
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const upgraded = `${version}+upgrade1`;
const out = mkdtempSync(join(tmpdir(), 'carehub-deb-'));
const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
const deb = (v: string): string => join(out, `carehub_${v}_${arch}.deb`);
const DB = '/var/lib/carehub/carehub.db';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 120_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env } });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return r;
}
const text = (r: SpawnSyncReturns<string>): string => `${r.stdout}${r.stderr}`;
const installed = (): string | null => {
  const r = run('dpkg-query', ['-W', '-f=${Status} ${Version}', 'carehub']);
  return r.status === 0 && r.stdout.startsWith('install ok installed') ? r.stdout.split(' ').pop() ?? null : null;
};

// what existed before, so that cleaning up removes only what the test made
const before = {
  user: run('getent', ['passwd', 'carehub']).status === 0,
  data: existsSync('/var/lib/carehub'),
  etc: existsSync('/etc/carehub'),
  run: existsSync('/run/carehub'),
  pkg: isRoot ? run('dpkg-query', ['-W', 'carehub']).status === 0 : false,
};

describe.skipIf(!isRoot)('Debian package (dpkg as root on this machine)', () => {
  beforeAll(() => {
    if (before.pkg || before.data || before.etc) throw new Error('carehub is (or was) installed on this machine: this test will not touch it');
    const env = { CAREHUB_PKG_OUT: out };
    const a = run('bash', ['scripts/package-deb.sh'], env, 300_000);
    expect(a.status, text(a)).toBe(0);
    const b = run('bash', ['scripts/package-deb.sh'], { ...env, CAREHUB_PKG_VERSION: upgraded, CAREHUB_PKG_REUSE: '1' });
    expect(b.status, text(b)).toBe(0);
  }, 300_000);

  afterAll(() => {
    if (before.pkg || before.data || before.etc) return;
    if (installed() !== null || run('dpkg-query', ['-W', 'carehub']).status === 0) run('dpkg', ['--purge', 'carehub'], { CAREHUB_PURGE_DATA: 'yes' });
    if (!before.user) { run('userdel', ['carehub']); run('groupdel', ['carehub']); }
    if (!before.data) rmSync('/var/lib/carehub', { recursive: true, force: true });
    if (!before.etc) rmSync('/etc/carehub', { recursive: true, force: true });
    if (!before.run) rmSync('/run/carehub', { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('holds the compiled build and production dependencies only, and records the Node ABI', () => {
    const list = run('dpkg-deb', ['--contents', deb(version)]).stdout;
    expect(list).toMatch(/\.\/usr\/lib\/carehub\/dist\/src\/main\.js\n/);
    expect(list).toMatch(/\.\/usr\/bin\/carehub -> \.\.\/lib\/carehub\/bin\/carehub\.js/);
    expect(list).toMatch(/\.\/lib\/systemd\/system\/carehub\.service\n/);
    expect(list).toMatch(/\.\/usr\/lib\/carehub\/node_modules\/unix-dgram\/build\/Release\/unix_dgram\.node\n/);
    for (const dev of ['typescript', 'tsx', 'vitest', 'esbuild', '@types/node']) expect(list).not.toContain(`/node_modules/${dev}/`);
    // no TypeScript sources: from src/ only the console's static page assets (served as they are)
    const paths = list.split('\n').map((l) => l.split(' ').pop() ?? '');
    const stray = paths.filter((p) => /^\.\/usr\/lib\/carehub\/(src|drivers|test|bench)\//.test(p) && !/^\.\/usr\/lib\/carehub\/src\/(console\/(public\/.*)?)?$/.test(p));
    expect(stray).toEqual([]);
    expect(paths).toContain('./usr/lib/carehub/src/console/public/app.js');
    expect(list).not.toMatch(/\.\/usr\/lib\/carehub\/.*\.ts\n/);
    const ctl = run('dpkg-deb', ['-f', deb(version), 'Depends', 'Version']).stdout;
    expect(ctl).toContain(`nodejs (>= ${process.versions.node.split('.')[0]})`);
    expect(run('dpkg-deb', ['-I', deb(version), 'conffiles']).stdout.trim()).toBe('/etc/carehub/carehub.yaml');
  });

  it('lintian: no errors', () => {
    const r = run('lintian', ['--no-tag-display-limit', deb(version)], {}, 180_000);
    const errors = text(r).split('\n').filter((l) => l.startsWith('E: '));
    expect(errors).toEqual([]);
  }, 180_000);

  it('installs: user with the groups this system has, config root:carehub 0640, enabled, not started without systemd', () => {
    const r = run('dpkg', ['-i', deb(version)]);
    expect(r.status, text(r)).toBe(0);
    expect(text(r)).toContain('systemd is not running here; the service was not started');
    expect(installed()).toBe(version);
    const v = run('/usr/bin/carehub', ['--version']);
    expect(v.stdout.trim(), text(v)).toBe(version);
    const groups = run('id', ['-nG', 'carehub']).stdout.trim().split(' ');
    for (const g of ['dialout', 'bluetooth', 'audio', 'gpio']) {
      expect(groups.includes(g)).toBe(run('getent', ['group', g]).status === 0);
    }
    const cfg = statSync('/etc/carehub/carehub.yaml');
    expect(cfg.mode & 0o777).toBe(0o640);
    expect(cfg.gid).toBe(Number(run('id', ['-g', 'carehub']).stdout.trim()));
    expect(statSync('/var/lib/carehub').mode & 0o777).toBe(0o700);
    expect(existsSync('/etc/systemd/system/multi-user.target.wants/carehub.service')).toBe(true);
    // a Node with another ABI is refused with a clear message
    const abi = readFileSync('/usr/lib/carehub/node-abi', 'utf8');
    expect(abi.split(' ')[0]).toBe(process.versions.modules);
    writeFileSync('/usr/lib/carehub/node-abi', `1 v1.0.0 ${process.platform}-${process.arch}\n`);
    const refused = run('/usr/bin/carehub', ['--version']);
    writeFileSync('/usr/lib/carehub/node-abi', abi);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/built for Node v1\.0\.0 \(ABI 1, .*\); this is Node v\d+.*\(ABI \d+\)/);
  });

  it('upgrades: the edited config is kept, the database is migrated by the new version with its rows', () => {
    const cfg = readFileSync('/etc/carehub/carehub.yaml', 'utf8')
      .replace('id: hub-unnamed', 'id: hub-pkgtest')
      .replace('mqtts://broker.invalid:8883', 'mqtt://127.0.0.1:9')
      .replace('devices: []', 'devices:\n  - { id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }\nlocal: { pagePort: 0, sound: false }');
    writeFileSync('/etc/carehub/carehub.yaml', cfg);
    // a database as an older carehub left it: schema version 1, one undelivered row
    const db = new Database(DB);
    migrate(db, silentLogger(), migrations.slice(0, 1));
    db.prepare("INSERT INTO outbox (uid, lane, type, device, rx, bytes, payload) VALUES ('r-old-1', 1, 0, 'oxi-1', 1, 10, '{}')").run();
    db.close();
    const uid = Number(run('id', ['-u', 'carehub']).stdout.trim());
    const gid = Number(run('id', ['-g', 'carehub']).stdout.trim());
    chownSync(DB, uid, gid);

    const r = run('dpkg', ['-i', '--force-confold', deb(upgraded)]);
    expect(r.status, text(r)).toBe(0);
    expect(installed()).toBe(upgraded);
    expect(readFileSync('/etc/carehub/carehub.yaml', 'utf8')).toBe(cfg);
    expect(existsSync('/etc/carehub/carehub.yaml.dpkg-dist')).toBe(false);

    // the new version runs as the service user on the kept config and database (as systemd would)
    const hub = run('runuser', ['-u', 'carehub', '--', '/usr/bin/carehub', 'run', '--duration', '3'], { CAREHUB_CONFIG: '/etc/carehub/carehub.yaml' }, 60_000);
    expect(hub.status, text(hub)).toBe(0);
    expect(hub.stderr).toContain('hub-pkgtest');
    const after = new Database(DB, { readonly: true });
    expect(Number(after.pragma('user_version', { simple: true }))).toBe(migrations.length);
    expect(after.prepare("SELECT count(*) AS n FROM outbox WHERE uid = 'r-old-1'").get()).toEqual({ n: 1 });
    after.close();
  }, 90_000);

  it('removes (config and data kept), then purges (config gone, patient data still kept unless asked)', () => {
    const rm = run('dpkg', ['--remove', 'carehub']);
    expect(rm.status, text(rm)).toBe(0);
    expect(existsSync('/usr/lib/carehub')).toBe(false);
    expect(existsSync('/usr/bin/carehub')).toBe(false);
    expect(existsSync('/etc/carehub/carehub.yaml')).toBe(true);
    expect(existsSync(DB)).toBe(true);

    const purge = run('dpkg', ['--purge', 'carehub']);
    expect(purge.status, text(purge)).toBe(0);
    expect(text(purge)).toContain('patient data kept in /var/lib/carehub');
    expect(existsSync('/etc/carehub')).toBe(false);
    expect(existsSync(DB)).toBe(true);
    expect(existsSync('/etc/systemd/system/carehub.service')).toBe(false); // no mask left behind
    expect(existsSync('/etc/systemd/system/multi-user.target.wants/carehub.service')).toBe(false);
    const state = ['/var/lib/systemd/deb-systemd-helper-enabled', '/var/lib/systemd/deb-systemd-helper-masked']
      .flatMap((d) => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String) : []))
      .filter((f) => f.includes('carehub'));
    expect(state).toEqual([]);

    // asked: a reinstall + purge with CAREHUB_PURGE_DATA=yes deletes the data too
    expect(run('dpkg', ['-i', deb(upgraded)]).status).toBe(0);
    const all = run('dpkg', ['--purge', 'carehub'], { CAREHUB_PURGE_DATA: 'yes' });
    expect(all.status, text(all)).toBe(0);
    expect(existsSync('/var/lib/carehub')).toBe(false);
    expect(installed()).toBeNull();
  }, 90_000);
});

if (!isRoot) rmSync(out, { recursive: true, force: true });
