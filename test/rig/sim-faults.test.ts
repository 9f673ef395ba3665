import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { SimFaults, type InjectableEndpoint } from '../../src/rig/sim-faults.js';
import type { SimLink, SimPeripheral } from '../../src/transport/ble/types.js';

function peripheral(): SimPeripheral & { attached: SimLink | null } {
  const p: SimPeripheral & { attached: SimLink | null } = {
    address: 'aa:bb:cc:dd:ee:ff',
    name: 'SIM',
    rssi: () => -50,
    advertisedServices: ['1822'],
    services: [{ uuid: '1822', characteristics: [
      { uuid: '2a5f', properties: ['notify'] },
      { uuid: '2a60', properties: ['read'] },
      { uuid: '2a52', properties: ['write', 'indicate'] },
    ] }],
    inRange: () => true,
    attached: null,
    attach(link) { p.attached = link; },
    detach() { p.attached = null; },
    stop() {},
  };
  return p;
}

describe('rig fault injection into simulated devices', () => {
  it('ble-link-drop takes the peripheral out of range for exactly the given time', async () => {
    const clock = new FakeClock();
    const f = new SimFaults(clock, silentLogger());
    const p = f.peripheral('oxi-1', peripheral());
    expect(p.inRange()).toBe(true);
    await f.apply({ action: 'ble-link-drop', device: 'oxi-1', seconds: 10 });
    expect(p.inRange()).toBe(false);
    clock.advance(9_900);
    expect(p.inRange()).toBe(false);
    clock.advance(100);
    expect(p.inRange()).toBe(true);
  });

  it('garbage-bytes notifies random bytes on every notify/indicate characteristic of an open link', async () => {
    const f = new SimFaults(new FakeClock(), silentLogger());
    const inner = peripheral();
    const p = f.peripheral('oxi-1', inner);
    await expect(f.apply({ action: 'garbage-bytes', device: 'oxi-1', count: 16 })).rejects.toThrow(/no open BLE link/);
    const sent: Array<[string, string, number]> = [];
    p.attach({ notify: (s, c, d) => sent.push([s, c, d.length]), disconnect: () => {} });
    expect(inner.attached).not.toBeNull();
    await f.apply({ action: 'garbage-bytes', device: 'oxi-1', count: 16 });
    expect(sent).toEqual([['1822', '2a5f', 16], ['1822', '2a52', 16]]);
  });

  it('serial-cable-pull stops the simulator and starts a fresh one after the given time', async () => {
    const clock = new FakeClock();
    const f = new SimFaults(clock, silentLogger());
    const events: string[] = [];
    const injected: number[] = [];
    let n = 0;
    const make = async (): Promise<InjectableEndpoint> => {
      const k = ++n;
      events.push(`start ${k}`);
      return { path: '/tmp/sim-x', stop: async () => { events.push(`stop ${k}`); }, inject: async (b) => { injected.push(k, b.length); } };
    };
    const ep = f.serial('vent-1', await make(), make);
    await f.apply({ action: 'garbage-bytes', device: 'vent-1', count: 8 });
    expect(injected).toEqual([1, 8]);
    await f.apply({ action: 'serial-cable-pull', device: 'vent-1', seconds: 5 });
    expect(events).toEqual(['start 1', 'stop 1']);
    await expect(f.apply({ action: 'garbage-bytes', device: 'vent-1', count: 8 })).rejects.toThrow(/cable out/);
    clock.advance(5_000);
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['start 1', 'stop 1', 'start 2']);
    await ep.stop();
    expect(events.at(-1)).toBe('stop 2');
  });

  it('clock-jump steps only the wall clock the simulated devices see', async () => {
    const clock = new FakeClock();
    const f = new SimFaults(clock, silentLogger());
    await f.apply({ action: 'clock-jump', seconds: -30 });
    expect(f.clock.now()).toBe(clock.now() - 30_000);
    expect(f.clock.mono()).toBe(clock.mono());
  });

  it('rejects malformed requests, unknown devices and faults of the wrong transport', async () => {
    const f = new SimFaults(new FakeClock(), silentLogger());
    f.peripheral('oxi-1', peripheral());
    await expect(f.apply({ action: 'power-cut' })).rejects.toThrow(/bad fault request/);
    await expect(f.apply({ action: 'ble-link-drop', device: 'oxi-1' })).rejects.toThrow(/seconds/);
    await expect(f.apply({ action: 'ble-link-drop', device: 'cgm-9', seconds: 1 })).rejects.toThrow(/not a simulated device/);
    await expect(f.apply({ action: 'serial-cable-pull', device: 'oxi-1', seconds: 1 })).rejects.toThrow(/not a serial device/);
  });
});
