import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { runCli } from '../helpers/cli.js';

describe('carehub pair / unpair', () => {
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-pair-'));
    const f = join(dir, 'carehub.yaml');
    copyFileSync('config/carehub.example.yaml', f);
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
});
