import { afterAll, beforeAll } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import { createLogger, silentLogger, type Logger } from '../../src/core/log.js';
import { createNobleCentral, type NobleCentralOptions } from '../../src/transport/ble/noble-central.js';
import type { BleCentral, SimPeripheral } from '../../src/transport/ble/types.js';
import type { BleBench, BenchCentral } from '../drivers/shared/ble-bench.js';
import { bluezMockAvailable, startBluezMock, startPrivateBus, type PrivateBus } from './private-bus.js';
import { SimBluezPeer } from './sim-bluez-peer.js';
import { watchBus, type BusQuiet } from './bus-quiet.js';

/**
 * The D-Bus path for a bluez test file: one private dbus-daemon and one python3-dbusmock bluez5
 * (adapter hci0 added) for the whole file, DBUS_SYSTEM_BUS_ADDRESS pointed at it meanwhile, and
 * per test a SimBluezPeer serving the test's simulators plus a central on noble's real D-Bus
 * bindings. Every test of a file can run alone (`-t`): nothing a test needs is made by another.
 * BLUEZ_TEST_LOG=1 logs the hub side at debug level.
 */
export const available = bluezMockAvailable();
if (!available && process.env.CI) throw new Error('dbus-daemon or python3-dbusmock missing: .ci/run installs them');
export const log: Logger = process.env.BLUEZ_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger();
export const ADAPTER = 'hci0';

export interface BluezHarness {
  /** The private bus address (valid inside tests). */
  readonly address: string;
  /** The driver-flow bench over this bus (test/drivers/shared/ble-bench.ts). */
  readonly bench: BleBench;
  /** Serve these peripherals as BlueZ devices (not bonded unless said). Stop it at the end of the test. */
  peer(peripherals: { p: SimPeripheral; bonded?: boolean }[]): Promise<SimBluezPeer>;
  /** A central on noble's D-Bus bindings for hci0, once powered on (device time not moved). */
  central(clock: FakeClock, o?: Partial<Pick<NobleCentralOptions, 'technical'>>): Promise<BleCentral>;
}

/** Call at the top of a test file: starts the bus and the mock before the file's tests, stops them after. */
export function useBluez(): BluezHarness {
  let bus: PrivateBus | undefined;
  let mock: { stop(): Promise<void> } | undefined;
  let watch: BusQuiet | undefined;
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  beforeAll(async () => {
    if (!available) return;
    bus = await startPrivateBus();
    mock = await startBluezMock(bus.address);
    process.env.DBUS_SYSTEM_BUS_ADDRESS = bus.address;
    await (await SimBluezPeer.start(bus.address, [], ADAPTER, true)).stop(); // the adapter, for every test
    watch = await watchBus(bus.address);
  }, 20_000);
  afterAll(async () => {
    watch?.stop();
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    await mock?.stop();
    await bus?.stop();
  });

  const h: BluezHarness = {
    get address(): string {
      if (!bus) throw new Error('the private bus is not running (outside a test, or dbus-daemon/python3-dbusmock missing)');
      return bus.address;
    },
    peer: (peripherals) => SimBluezPeer.start(h.address, peripherals, ADAPTER, false),
    async central(clock, o = {}) {
      const central = createNobleCentral({ bindings: 'bluez', adapter: ADAPTER, log, clock, ...o });
      try {
        // in real time: the device clock stays where the test set it
        for (const end = Date.now() + 10_000; central.state() !== 'poweredOn' && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
        if (central.state() !== 'poweredOn') throw new Error(`adapter not powered on (${central.state()})`);
      } catch (e) {
        await central.close();
        throw e;
      }
      return central;
    },
    bench: {
      kind: 'bluez',
      timeoutMs: 30_000,
      log,
      async central(peripherals, clock, o = {}): Promise<BenchCentral> {
        const peer = await h.peer(peripherals.map((p) => ({ p, bonded: o.bonded ?? true })));
        let central: BleCentral;
        try { central = await h.central(clock); } catch (e) { await peer.stop(); throw e; }
        current = peer;
        return {
          central,
          connects: (address) => peer.connects(address),
          async close() { await central.close(); await peer.stop(); if (current === peer) current = undefined; },
        };
      },
      async advance(clock, ms, stepMs = 100) {
        for (let left = ms; left > 0; left -= stepMs) {
          clock.advance(Math.min(stepMs, left));
          await roundTrip();
        }
      },
      async settle(cond) {
        const end = Date.now() + 3000;
        do await roundTrip(); while (cond && !cond() && Date.now() < end);
      },
    },
  };
  let current: SimBluezPeer | undefined;
  /** What the peer queued has reached the mock, and every D-Bus call under way has been answered. */
  async function roundTrip(): Promise<void> {
    await current?.drain();
    await watch?.quiet();
  }
  return h;
}

/** Fake time for the sensor and the driver in `stepMs` steps, real time for the D-Bus round trips. */
export async function pump(clock: FakeClock, cond: () => boolean, maxFakeMs: number, what: string, stepMs = 250): Promise<void> {
  for (let t = 0; t <= maxFakeMs; t += stepMs) {
    if (cond()) return;
    clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, 15));
  }
  if (!cond()) throw new Error(`not reached: ${what}`);
}
