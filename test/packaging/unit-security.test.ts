import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const UNIT = 'systemd/carehub.service';
const HCI = 'systemd/carehub-hci.conf';
const tmp = mkdtempSync(join(tmpdir(), 'carehub-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function analyze(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`systemd-analyze not runnable (package systemd): ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The overall exposure systemd-analyze prints on its last line ("... carehub.service: 1.5 OK"). */
function exposure(out: string): number {
  const m = /Overall exposure level for carehub\.service: (\d+(?:\.\d+)?)/.exec(out);
  if (!m?.[1]) throw new Error(`no exposure level in:\n${out}`);
  return Number(m[1]);
}

/** A root directory holding the unit (and optionally the HCI drop-in) where systemd looks for them. */
function root(name: string, withHci: boolean): string {
  const dir = join(tmp, name, 'usr/lib/systemd/system');
  mkdirSync(join(dir, 'carehub.service.d'), { recursive: true });
  copyFileSync(UNIT, join(dir, 'carehub.service'));
  if (withHci) copyFileSync(HCI, join(dir, 'carehub.service.d', 'hci.conf'));
  return join(tmp, name);
}

describe('the shipped systemd unit', () => {
  it('BlueZ mode: systemd-analyze security --offline rates it at most 2.0', () => {
    const r = analyze(['security', '--offline=yes', '--no-pager', UNIT]);
    expect(exposure(r.out), r.out).toBeLessThanOrEqual(2.0);
  });

  it('raw HCI mode (the drop-in applied): at most 3.0, and the drop-in really applies', () => {
    const plain = exposure(analyze(['security', '--offline=yes', '--no-pager', `--root=${root('plain', false)}`, 'carehub.service']).out);
    const r = analyze(['security', '--offline=yes', '--no-pager', `--root=${root('hci', true)}`, 'carehub.service']);
    const hci = exposure(r.out);
    expect(hci, r.out).toBeLessThanOrEqual(3.0);
    expect(hci).toBeGreaterThan(plain); // capabilities and AF_BLUETOOTH were picked up
    expect(r.out).toMatch(/CAP_NET_ADMIN/);
  });

  it('keeps the properties the hub relies on', () => {
    const u = readFileSync(UNIT, 'utf8');
    for (const line of ['Type=notify', 'NotifyAccess=main', 'Restart=always', 'StartLimitIntervalSec=0', 'SystemCallFilter=@system-service', 'SystemCallArchitectures=native', 'ProtectProc=invisible', 'DevicePolicy=closed']) {
      expect(u.split('\n')).toContain(line);
    }
    expect(u).not.toMatch(/^ExecStartPre=/m); // a damaged config must not keep the hub from monitoring
    expect(u).not.toMatch(/^SupplementaryGroups=/m); // a missing gpio/audio group would fail with 216/GROUP
    expect(u).not.toMatch(/^MemoryDenyWriteExecute=yes/m); // V8's JIT needs W+X memory
    expect(u).not.toMatch(/^RestrictAddressFamilies=.*AF_BLUETOOTH/m); // only with the HCI drop-in
  });

  it('systemd-analyze verify is clean', () => {
    // verify checks that the ExecStart binary exists: where /usr/bin/node is missing (node from
    // another prefix), a copy of the unit points at this machine's node instead.
    let unit = UNIT;
    if (!existsSync('/usr/bin/node')) {
      unit = join(tmp, 'carehub.service');
      writeFileSync(unit, readFileSync(UNIT, 'utf8').replace('ExecStart=/usr/bin/node', `ExecStart=${process.execPath}`));
    }
    const r = analyze(['verify', '--man=no', unit]);
    expect(r.out.trim()).toBe('');
    expect(r.code).toBe(0);
  });
});
