import { appendFileSync, chmodSync, chownSync, copyFileSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { runCli } from '../helpers/cli.js';

describe('carehub pair / unpair', () => {
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-pair-'));
    const f = join(dir, 'carehub.yaml');
    copyFileSync('config/carehub.example.yaml', f);
    // config-only pairing: a machine running bluetoothd would otherwise pair the dummy addresses (auto → bluez)
    appendFileSync(f, '\nble: { bindings: hci }\n');
    return f;
  };

  it('adds a BLE oximeter with the next free id, keeps comments, and the file stays valid', () => {
    const f = fresh();
    const r = runCli(['pair', 'oximeter', 'aa:bb:cc:dd:ee:ff', '--config', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('paired oxi-2');
    const text = readFileSync(f, 'utf8');
    expect(text).toContain('# CA of the regional broker');
    const c = loadConfigFile(f, {});
    expect(c.ok).toBe(true);
    if (c.ok) expect(c.config.devices.find((d) => d.id === 'oxi-2')).toMatchObject({ kind: 'oximeter', transport: 'ble', protocol: 'plxs', address: 'AA:BB:CC:DD:EE:FF' });
  });

  it('adds a serial ventilator by path and removes it again', () => {
    const f = fresh();
    expect(runCli(['pair', 'ventilator', '/dev/serial/by-id/usb-X', '--id', 'vent-9', '--config', f]).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toContain('vent-9');
    const u = runCli(['unpair', 'vent-9', '--config', f]);
    expect(u.code).toBe(0);
    expect(readFileSync(f, 'utf8')).not.toContain('vent-9');
  });

  it('refuses bad usage without touching the file', () => {
    const f = fresh();
    const before = readFileSync(f, 'utf8');
    const mtime = statSync(f).mtimeMs;
    expect(runCli(['pair', 'toaster', 'AA:BB:CC:DD:EE:FF', '--config', f]).code).toBe(2);
    expect(runCli(['pair', 'cgm', 'not-an-address', '--config', f]).code).toBe(2);
    expect(runCli(['pair', 'cgm', 'AA:BB:CC:DD:EE:FF', '--id', 'oxi-1', '--config', f]).code).toBe(2); // id taken
    expect(runCli(['pair', 'cgm', '/dev/ttyUSB0', '--config', f]).code).toBe(2); // cgm over serial is invalid
    expect(runCli(['unpair', 'nope', '--config', f]).code).toBe(1);
    expect(readFileSync(f, 'utf8')).toBe(before);
    expect(statSync(f).mtimeMs).toBe(mtime);
  });

  // The service reads the config as group carehub, 0640 (README). Running as root here: give the
  // file another owner and group and check that pair and unpair keep them.
  const asRoot = process.getuid?.() === 0;
  it.skipIf(!asRoot)('pair and unpair keep the file\'s owner, group and mode (issue 9 item 11)', () => {
    const f = fresh();
    chownSync(f, 1234, 4321);
    chmodSync(f, 0o640);
    expect(runCli(['pair', 'oximeter', 'AA:BB:CC:DD:EE:01', '--id', 'oxi-7', '--config', f]).code).toBe(0);
    let st = statSync(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 4321, 0o640]);
    expect(readFileSync(f, 'utf8')).toContain('oxi-7');
    expect(runCli(['unpair', 'oxi-7', '--config', f]).code).toBe(0);
    st = statSync(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 4321, 0o640]);
    expect(readFileSync(f, 'utf8')).not.toContain('oxi-7');
    expect(readdirSync(dirname(f))).toEqual(['carehub.yaml']); // no temp file left behind
  });

  it.skipIf(!asRoot)('a config reached through a symlink: the link stays, the target is replaced with its owner kept', () => {
    const f = fresh();
    chownSync(f, 1234, 4321);
    chmodSync(f, 0o640);
    const link = join(mkdtempSync(join(tmpdir(), 'carehub-pair-link-')), 'carehub.yaml');
    symlinkSync(f, link);
    expect(runCli(['pair', 'ventilator', '/dev/ttyUSB3', '--id', 'vent-3', '--config', link]).code).toBe(0);
    const st = statSync(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 4321, 0o640]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(f, 'utf8')).toContain('vent-3');
  });
});
