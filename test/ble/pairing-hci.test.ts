import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatedCentral } from '../../src/transport/ble/noble-central.js';
import { PlxsSimulator } from '../../drivers/oximeter-plxs/simulator.js';
import { createPlxsSession } from '../../drivers/oximeter-plxs/session.js';
import { advance, fakeDriverContext } from '../helpers/fake-driver-context.js';
import { runCli } from '../helpers/cli.js';

// hci mode (noble's raw HCI stack): pairing stays as noble allows it (no passkey, no stored
// bond); a device that needs more gets a clear error, and nothing is written.
const log = silentLogger();
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

describe('pairing in hci mode', () => {
  it('carehub pair cgm ADDR --passkey N with ble.bindings: hci → usage error saying BlueZ is needed, the config untouched, the passkey not echoed', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'carehub-pair-hci-')), 'carehub.yaml');
    copyFileSync('config/carehub.example.yaml', file);
    appendFileSync(file, '\nble:\n  bindings: hci\n  adapter: hci0\n');
    const before = readFileSync(file, 'utf8');
    const r = runCli(['pair', 'cgm', 'C4:7A:11:02:33:D0', '--passkey', '135790', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/passkey pairing needs BlueZ \(configured \(ble\.bindings: hci\)\); set ble\.bindings: bluez/);
    expect(r.stdout + r.stderr).not.toContain('135790');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('carehub pair cgm ADDR without a passkey in hci mode writes the entry and says it could not bond (a CGM will ask for pairing)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'carehub-pair-hci-')), 'carehub.yaml');
    copyFileSync('config/carehub.example.yaml', file);
    appendFileSync(file, '\nble:\n  bindings: hci\n  adapter: hci0\n');
    const r = runCli(['pair', 'cgm', 'C4:7A:11:02:33:D1', '--id', 'cgm-9', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hci mode .*written without bonding.*ble_pairing_required.*ble\.bindings: bluez/);
    expect(readFileSync(file, 'utf8')).toContain('C4:7A:11:02:33:D1');
  });

  it('an unpaired passkey (authenticated) oximeter on the HCI stack: ble_pairing_required (medium) telling to pair through BlueZ, slow retries, no data', async () => {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:22', clock, scenario: 'normal', spotCheckEveryMs: 0, security: { level: 'authenticated', passkey: '123456' } });
    const { central, bindings } = createSimulatedCentral([sim], { log, clock, bonded: false });
    const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'oxi-1', kind: 'oximeter', address: sim.address } });
    const session = createPlxsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 5000 });
    cleanup.push(async () => { await session.stop(); sim.stop(); await central.close(); });
    await session.start();
    await advance(clock, 2000, 250);
    const a = ctx.active('ble_pairing_required');
    expect(a?.priority).toBe('medium');
    expect(a?.text).toMatch(/requires pairing: run carehub pair.*ble\.bindings: bluez/);
    const connects = bindings.stats.connects;
    await advance(clock, 60_000, 500);
    expect(bindings.stats.connects - connects).toBeLessThanOrEqual(13); // every backoffMax (5 s), not a loop
    expect(ctx.metric('spo2')).toHaveLength(0);
    expect(ctx.link()).not.toBe('connected');
    expect(ctx.alarmEvents.filter((e) => e.condition === 'ble_pairing_required').map((e) => e.event)).toEqual(['raised']);
    expect(bindings.securityOf(sim.address)).toMatchObject({ hostKeys: false, encrypted: false }); // the HCI stack never paired on its own
  });
});
