import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { TechnicalCondition } from '../../src/alarms/types.js';
import { createNobleCentral, createSimulatedCentral } from '../../src/transport/ble/noble-central.js';
import { scanSupported } from '../../src/transport/ble/scan.js';
import { superviseBleLink } from '../../src/transport/ble/supervisor.js';
import { PlxsSimulator } from '../../drivers/oximeter-plxs/simulator.js';
import { BerrymedSimulator } from '../../drivers/oximeter-berrymed/simulator.js';
import { definition as plxs } from '../../drivers/oximeter-plxs/definition.js';
import { definition as berrymed } from '../../drivers/oximeter-berrymed/definition.js';
import type { BleCentral } from '../../src/transport/ble/types.js';
import { advance, fakeDriverContext, flush } from '../helpers/fake-driver-context.js';

const log = silentLogger();
let toClose: { close(): Promise<void> }[] = [];
afterEach(async () => { for (const c of toClose.splice(0)) await c.close(); });

describe('noble central over the HCI bindings with no adapter (this machine, CI)', () => {
  it('reports the adapter unavailable, raises the condition, and fails fast', async () => {
    const techs: Omit<TechnicalCondition, 'device'>[] = [];
    const clock = new FakeClock();
    const central = createNobleCentral({ bindings: 'hci', log, clock, technical: (c) => techs.push(c) });
    toClose.push(central);
    await new Promise((r) => setTimeout(r, 50));
    if (central.state() === 'poweredOn') return; // a machine with a real adapter: nothing to check here
    expect(['unavailable', 'unsupported', 'poweredOff', 'unauthorized']).toContain(central.state());
    expect(techs.at(-1)).toMatchObject({ code: 'ble_adapter_unavailable', active: true });
    const started = Date.now();
    const attempt = central.connect('00:1C:05:FF:4E:21', 2000).then(() => 'connected', (e: Error) => e.message);
    clock.advance(2000);
    expect(await attempt).toMatch(/unavailable|adapter|timed out/i);
    const ready = central.ready(100).then(() => 'ready', (e: Error) => e.message);
    clock.advance(100);
    expect(await ready).toMatch(/unavailable|timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a supervised device on an unavailable adapter keeps backing off without crashing', async () => {
    const clock = new FakeClock();
    const central = createNobleCentral({ bindings: 'hci', log, clock });
    toClose.push(central);
    await new Promise((r) => setTimeout(r, 20));
    const ctx = fakeDriverContext({ clock, log, ble: central, device: { id: 'oxi-1', kind: 'oximeter', address: '00:1C:05:FF:4E:21' } });
    const s = superviseBleLink({ central, address: '00:1C:05:FF:4E:21', log, clock, linkFact: (f) => ctx.linkFact(f), run: async () => undefined, lostAfterMs: 10_000, connectTimeoutMs: 1000 });
    await advance(clock, 30_000, 500);
    await s.stop();
    expect(ctx.links.map((l) => l.state)).toEqual(['connecting', 'lost']);
    expect(ctx.technicals.map((c) => `${c.code}:${c.active}`)).toEqual(['link_lost:true']);
    expect(ctx.active('link_lost')?.priority).toBe('medium');
  });
});

describe('noble central over simulated bindings', () => {
  it('scan finds supported devices via DriverDefinition.match', async () => {
    const clock = new FakeClock();
    const a = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const b = new BerrymedSimulator({ address: 'C0:26:DA:01:02:03', clock, scenario: 'normal' });
    const { central } = createSimulatedCentral([a, b], { log, clock });
    toClose.push(central, { close: async () => { a.stop(); b.stop(); } });
    const p = scanSupported(central, [plxs, berrymed], 2);
    await advance(clock, 2500);
    const found = await p;
    expect(found.map((d) => [d.protocol, d.address, d.kind])).toEqual([
      ['plxs', '00:1C:05:FF:4E:21', 'oximeter'],
      ['berrymed', 'C0:26:DA:01:02:03', 'oximeter'],
    ]);
    expect(found[0]!.services).toEqual(['1822']);
    expect(found[0]!.name).toBe('SIM-PLX');
  });

  it('connects, reads, writes and subscribes; GATT errors reject', async () => {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const { central } = createSimulatedCentral([sim], { log, clock });
    toClose.push(central, { close: async () => sim.stop() });
    const conn = await central.connect('00:1c:05:ff:4e:21', 5000);
    expect(conn.has('1822', '2a5f')).toBe(true);
    expect(conn.has('1822', '2aff')).toBe(false);
    expect([...(await conn.read('1822', '2a60'))]).toEqual([0x4f, 0x00, 0x40, 0xc2, 0x22, 0x88, 0x00]);
    const got: number[][] = [];
    await conn.subscribe('1822', '2a52', (d) => got.push([...d]));
    await conn.write('1822', '2a52', Uint8Array.from([0x04, 0x01]));
    await flush();
    expect(got).toEqual([[0x05, 0x00, 0x00, 0x00]]);
    await expect(conn.read('1822', '2a5f')).rejects.toThrow(/not permitted/);
    await expect(conn.read('1822', '2aff')).rejects.toThrow(/not found/);
    const reasons: string[] = [];
    conn.onDisconnect((r) => reasons.push(r));
    await conn.disconnect();
    expect(reasons).toHaveLength(1);
  });

  it('serialises connection attempts and times out on a device that never answers', async () => {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    sim.setInRange(false);
    const other = new PlxsSimulator({ address: '00:1C:05:FF:4E:22', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const { central } = createSimulatedCentral([sim, other], { log, clock });
    toClose.push(central, { close: async () => { sim.stop(); other.stop(); } });
    const order: string[] = [];
    const a = central.connect('00:1C:05:FF:4E:21', 3000).then(() => order.push('a ok'), () => order.push('a timeout'));
    const b = central.connect('00:1C:05:FF:4E:22', 3000).then(() => order.push('b ok'), () => order.push('b fail'));
    await flush();
    expect(order).toEqual([]);
    await advance(clock, 3500);
    await Promise.all([a, b]);
    expect(order).toEqual(['a timeout', 'b ok']);
  });

  it('resets a stuck adapter, then escalates with ble_adapter_stuck, and clears on recovery', async () => {
    const clock = new FakeClock();
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const techs: string[] = [];
    const { central, bindings } = createSimulatedCentral([sim], { log, clock, stuckAfterMs: 60_000, technical: (c) => techs.push(`${c.code}:${c.active}`) });
    toClose.push(central, { close: async () => sim.stop() });
    await flush();
    sim.setInRange(false);
    const c: BleCentral = central;
    let trying = true;
    const keepTrying = async (): Promise<void> => { while (trying) { await c.connect('00:1C:05:FF:4E:21', 5000).then((x) => x.disconnect(), () => undefined); await new Promise((r) => setImmediate(r)); } };
    const loop = keepTrying();
    await advance(clock, 2.5 * 60_000, 1000);
    expect(bindings.stats.resets).toBeGreaterThanOrEqual(1);
    await advance(clock, 2 * 60_000, 1000);
    expect(techs).toContain('ble_adapter_stuck:true');
    sim.setInRange(true);
    await advance(clock, 10_000, 500);
    expect(techs.at(-1)).toBe('ble_adapter_stuck:false');
    trying = false;
    await advance(clock, 10_000, 1000);
    await loop;
  });
});
