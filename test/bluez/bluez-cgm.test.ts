import { describe, expect, it } from 'vitest';
import dbus from 'dbus-next';
import { FakeClock } from '../../src/core/clock.js';
import { chooseBindings } from '../../src/transport/ble/bindings-choice.js';
import { bondState, devicePath, getProp } from '../../src/transport/ble/bluez-bus.js';
import { pairThroughBluez } from '../../src/transport/ble/bluez-pair.js';
import { pairDeviceCommand, unpairDeviceCommand } from '../../src/cli/pair-bluez.js';
import { loadConfigFile } from '../../src/config/load.js';
import { scanCommand } from '../../src/cli/scan.js';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BleCentral } from '../../src/transport/ble/types.js';
import { CgmsSession } from '../../drivers/cgm-cgms/session.js';
import { createCgmSimulator } from '../../drivers/cgm-cgms/simulator.js';
import { fakeDriverContext } from '../helpers/fake-driver-context.js';
import { available, log, pump, useBluez } from './harness.js';

// The D-Bus path end to end: noble's real D-Bus bindings (through the hub's central) against
// python3-dbusmock's bluez5 template on a private dbus-daemon, GATT served from the CGM simulator.
const ADDRESS = 'C4:7A:11:02:33:9E';
const bz = useBluez();

describe.runIf(available)('BlueZ over D-Bus (mock bluez5 on a private bus)', () => {
  it('auto picks bluez; unpaired CGM → ble_pairing_required (NotPermitted); paired → backfill and live data; bond removed on the sensor → raised again as lost bond', async () => {
    expect((await chooseBindings({ bindings: 'auto', adapter: 'hci0' })).bindings).toBe('bluez');

    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
    const sim = createCgmSimulator({ clock, log, address: ADDRESS, scenario: 'normal-fast' });
    const peer = await bz.peer([{ p: sim }]);
    let central: BleCentral | undefined;
    let session: CgmsSession | undefined;
    try {
      central = await bz.central(clock);
      clock.advance(30 * 60_000); // 30 min of sensor data to back-fill
      const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'cgm-1', kind: 'cgm', transport: 'ble', address: ADDRESS } });
      session = new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 3000 });
      await session.start();
      await pump(clock, () => ctx.technicalActive('ble_pairing_required'), 30_000, 'pairing required');
      expect(ctx.active('ble_pairing_required')?.text).toMatch(/requires pairing/);
      expect(ctx.metric('glucose')).toHaveLength(0);
      const bondShown = (): unknown => ctx.registry.status().find((d) => d.id === 'cgm-1')?.bond;
      expect(bondShown()).toBe('none'); // BlueZ Device1.Bonded / Paired false

      // Pair through BlueZ (Device1.Pair), as `carehub pair` does.
      const client = dbus.sessionBus({ busAddress: bz.address });
      const dev = await client.getProxyObject('org.bluez', `/org/bluez/hci0/dev_${ADDRESS.replace(/:/g, '_')}`);
      await (dev.getInterface('org.bluez.Device1') as unknown as { Pair(): Promise<void> }).Pair();
      client.disconnect();

      await pump(clock, () => !ctx.technicalActive('ble_pairing_required') && ctx.metric('glucose').length >= 25, 60_000, 'secured session with backfill');
      expect(ctx.link()).toBe('connected');
      await pump(clock, () => bondShown() === 'bonded', 5000, 'bond shown after Pair');

      // The sensor forgets the bond; the link drops and comes back.
      peer.security(ADDRESS).forgetOnPeripheral();
      sim.setInRange(false);
      await pump(clock, () => ctx.link() !== 'connected', 10_000, 'link dropped');
      sim.setInRange(true);
      await pump(clock, () => ctx.technicalActive('ble_pairing_required'), 60_000, 'bond loss detected');
      expect(ctx.active('ble_pairing_required')?.text).toMatch(/no longer accepts the hub's bond/);
      expect(bondShown()).toBe('bonded'); // BlueZ still holds the keys the sensor refuses
    } finally {
      await session?.stop();
      await central?.close();
      sim.stop();
      await peer.stop();
    }
  }, 90_000);
});

describe.runIf(available)('Pairing through BlueZ with the hub agent (mock bluez5 on a private bus)', () => {
  it('a passkey sensor: wrong passkey → wrong_passkey and not paired; right passkey → paired, bonded and trusted; unknown device → clear result', async () => {
    const address = 'C4:7A:11:02:33:A0';
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
    const sim = createCgmSimulator({ clock, log, address, security: { level: 'authenticated', passkey: '123456' } });
    const peer = await bz.peer([{ p: sim }]);
    const client = dbus.sessionBus({ busAddress: bz.address });
    try {
      const wrong = await pairThroughBluez(client, 'hci0', address, 654321);
      expect(wrong).toMatchObject({ ok: false, reason: 'wrong_passkey' });
      expect(await bondState(client, 'hci0', address)).toBe(false);
      expect(peer.security(address).hostKeys).toBe(false);

      const none = await pairThroughBluez(client, 'hci0', address, null);
      expect(none).toMatchObject({ ok: false, reason: 'rejected' });

      const right = await pairThroughBluez(client, 'hci0', address, 123456);
      expect(right).toEqual({ ok: true, alreadyPaired: false });
      await new Promise((r) => setTimeout(r, 100));
      expect(await bondState(client, 'hci0', address)).toBe(true);
      expect(await getProp(client, devicePath('hci0', address), 'org.bluez.Device1', 'Trusted')).toBe(true);
      expect(peer.security(address)).toMatchObject({ hostKeys: true, peripheralBond: true });

      const unknown = await pairThroughBluez(client, 'hci0', '00:11:22:33:44:55', 123456);
      expect(unknown).toMatchObject({ ok: false, reason: 'unknown_device' });
    } finally {
      client.disconnect();
      sim.stop();
      await peer.stop();
    }
  }, 60_000);
});

describe.runIf(available)('carehub pair / scan / unpair in bluez mode (mock bluez5 on a private bus)', () => {
  it('wrong passkey → exit 1 and the config untouched; right passkey → bonded and the entry written; scan shows it bonded; unpair removes the bond and the entry', async () => {
    const address = 'C4:7A:11:02:33:B0';
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), true);
    const sim = createCgmSimulator({ clock, log, address, security: { level: 'authenticated', passkey: '024680' } });
    // Device Information (open without security): an over-long serial with control characters is bounded.
    const text = (s: string) => ({ properties: ['read' as const], onRead: () => new TextEncoder().encode(s) });
    sim.services.push({ uuid: '180a', characteristics: [
      { uuid: '2a29', ...text('Acme Medical') }, { uuid: '2a24', ...text('CGM-7') },
      { uuid: '2a25', ...text(`\u0007${'S'.repeat(200)}\n`) }, { uuid: '2a26', ...text('2.1.0') },
    ] });
    clock.advance(15 * 60_000); // records the first connect back-fills
    const peer = await bz.peer([{ p: sim }]);
    const file = join(mkdtempSync(join(tmpdir(), 'carehub-bluez-pair-')), 'carehub.yaml');
    copyFileSync('config/carehub.example.yaml', file);
    appendFileSync(file, '\nble:\n  bindings: bluez\n  adapter: hci0\n');
    const before = readFileSync(file, 'utf8');
    const write = process.stdout.write;
    let printed = '';
    process.stdout.write = ((s: string) => { printed += s; return true; }) as typeof process.stdout.write;
    try {
      expect(await pairDeviceCommand('cgm', address, { config: file, id: 'cgm-9', passkey: '111111' })).toBe(1);
      expect(printed).toMatch(/did not accept the passkey.*nothing was written/);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(await pairDeviceCommand('cgm', address, { config: file, id: 'cgm-9', passkey: '12ab' })).toBe(2);

      expect(await pairDeviceCommand('cgm', address, { config: file, id: 'cgm-9', passkey: '024680' })).toBe(0);
      const c = loadConfigFile(file, {});
      expect(c.ok && c.config.devices.find((d) => d.id === 'cgm-9')).toMatchObject({ kind: 'cgm', transport: 'ble', address });
      expect(peer.security(address).hostKeys).toBe(true);
      expect(printed).not.toContain('024680'); // the passkey is never echoed
      // read over the new bond before the entry was written
      expect(printed).toMatch(new RegExp(`device information: manufacturer Acme Medical, model CGM-7, serial S{64}, firmware 2\\.1\\.0\\nfirst reading: glucose \\d+(\\.\\d+)? \\S+ at \\d{4}-\\d\\d-\\d\\dT[\\s\\S]*paired cgm-9`));

      printed = '';
      expect(await scanCommand({ seconds: 1, json: true, config: file })).toBe(0);
      const scanned = (JSON.parse(printed) as { devices: { address: string; kind: string; bonded: boolean | null }[] }).devices;
      expect(scanned.find((d) => d.address === address)).toMatchObject({ kind: 'cgm', bonded: true });

      expect(await unpairDeviceCommand('cgm-9', { config: file })).toBe(0);
      expect(printed).toMatch(/bond with C4:7A:11:02:33:B0 removed/);
      const after = loadConfigFile(file, {});
      expect(after.ok && after.config.devices.some((d) => d.id === 'cgm-9')).toBe(false);
    } finally {
      process.stdout.write = write;
      sim.stop();
      await peer.stop();
    }
  }, 60_000);
});
