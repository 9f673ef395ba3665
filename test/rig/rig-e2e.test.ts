import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `carehub rig FILE` end to end: the real CLI, a broker it spawns, the hub as its child process.
// Device ids are unique to this file: a simulated serial device's pty link path derives from its id.

const dir = mkdtempSync(join(tmpdir(), 'carehub-rig-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rig(name: string, yaml: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/carehub.js', 'rig', file, ...args], {
      env: {
        ...process.env,
        CAREHUB_FROM_SOURCE: '1',
        ...(process.env.CAREHUB_TEST_NO_MOSQUITTO === '1' ? { CAREHUB_RIG_NO_MOSQUITTO: '1' } : {}),
      },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('carehub rig', () => {
  it('exit 2 with every problem and its path for an invalid scenario', async () => {
    const r = await rig('invalid', `
name: invalid
duration: 10
devices: [ { id: oxi-r0, kind: oximeter, transport: ble, simulate: normal } ]
timeline: [ { at: 2, action: meteor-strike } ]
expect: [ { no-reading-lost: true }, { min-readings: { device: oxi-r0 } } ]
`);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('timeline[0].action: unsupported action');
    expect(r.stdout).toContain('expect[1].min-readings.count: required');
  });

  it('passes a broker outage with a hub SIGKILL and a pulled serial cable: nothing lost, exit 0', async () => {
    const r = await rig('outage', `
name: outage
duration: 24
drain: 15
devices:
  - { id: oxi-r1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }
  - { id: vent-r1, kind: ventilator, transport: serial, protocol: medibus, simulate: normal }
timeline:
  - { at: 4, action: serial-cable-pull, device: vent-r1, seconds: 4 }
  - { at: 10, action: broker-down, seconds: 8 }
  - { at: 13, action: hub-kill, seconds: 2 }
  - { at: 17, action: garbage-bytes, device: oxi-r1 }
expect:
  - alarm-raised: { condition: serial_port_gone, device: vent-r1, after: 4, within: 3 }
  - alarm-cleared: { condition: serial_port_gone, device: vent-r1, after: 4, within: 12 }
  - no-reading-lost: true
  - delivered-exactly-once-per-id: { from: 10, to: 18 }
  - in-order-per-device: true
  - min-readings: { device: oxi-r1, metric: spo2, count: 10 }
  - min-readings: { device: vent-r1, count: 10 }
`, ['--json']);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; results: Array<{ ok: boolean; label: string; detail: string }>; stats: { hubStarts: number; stored: number } };
    expect(report.results.filter((x) => !x.ok), r.stdout + r.stderr).toEqual([]);
    expect(report.results).toHaveLength(7);
    expect(report.ok).toBe(true);
    expect(report.stats.hubStarts).toBeGreaterThanOrEqual(2);
    expect(report.stats.stored).toBeGreaterThan(20);
    expect(r.code).toBe(0);
  }, 120_000);

  it('prints FAIL for an alarm that never comes and exits 1', async () => {
    const r = await rig('no-alarm', `
name: no-alarm
duration: 8
devices: [ { id: oxi-r2, kind: oximeter, transport: ble, simulate: normal } ]
expect:
  - alarm-raised: { condition: spo2_low, device: oxi-r2, within: 5 }
  - min-readings: { device: oxi-r2, metric: spo2, count: 3 }
`);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL alarm-raised spo2_low \(oxi-r2\) within 5 s: not raised between 0 s and 5 s/m);
    expect(r.stdout).toMatch(/^PASS min-readings oxi-r2\/spo2 ≥ 3: \d+ distinct readings/m);
    expect(r.stdout).toMatch(/^FAIL no-alarm: 1\/2 passed/m);
    expect(r.stdout).toMatch(/run directory kept: \S+carehub-rig-/);
    const kept = /run directory kept: (\S+)/.exec(r.stdout)?.[1];
    if (kept) rmSync(kept, { recursive: true, force: true });
  }, 60_000);
});
