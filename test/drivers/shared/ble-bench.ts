import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger, type Logger } from '../../../src/core/log.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import type { BleCentral, SimPeripheral } from '../../../src/transport/ble/types.js';
import { advance, flush } from '../../helpers/fake-driver-context.js';

/**
 * The BLE stack a driver session test runs on. The session flows of each driver
 * (test/drivers/<driver>/session-flows.ts) are written once against this and run twice: on
 * noble's simulated HCI bindings (`simBench`, the driver's session.test.ts) and on noble's real
 * D-Bus bindings against the BlueZ-shaped peer on a private bus (test/bluez/harness.ts,
 * test/bluez/bluez-drivers.test.ts). Both host the same simulators with the same security model.
 */
export interface BleBench {
  readonly kind: 'hci-sim' | 'bluez';
  /** Per-test timeout of a flow on this stack. */
  readonly timeoutMs: number;
  /** Logger for the driver contexts of the flows (silent unless a test asks for logs). */
  readonly log: Logger;
  /**
   * A central serving these peripherals. `bonded` (default true): peripherals that ask for
   * security share a bond with the host already. Closed by the returned `close`.
   */
  central(peripherals: SimPeripheral[], clock: FakeClock, o?: { bonded?: boolean }): Promise<BenchCentral>;
  /** Advance fake time in steps of `stepMs`, letting the transport's traffic interleave. */
  advance(clock: FakeClock, ms: number, stepMs?: number): Promise<void>;
  /**
   * Let traffic already under way arrive without moving fake time. With `until`, wait (bounded,
   * in real time) for it to hold; the caller still asserts.
   */
  settle(until?: () => boolean): Promise<void>;
}

export interface BenchCentral {
  central: BleCentral;
  /** Connections the peripheral at `address` accepted so far. */
  connects(address: string): number;
  close(): Promise<void>;
}

/** Advance until `cond` holds, failing after `maxMs` of fake time. */
export async function until(bench: BleBench, clock: FakeClock, cond: () => boolean, maxMs: number, what: string, stepMs = 100): Promise<void> {
  for (let t = 0; t < maxMs && !cond(); t += stepMs) await bench.advance(clock, stepMs, stepMs);
  if (!cond()) throw new Error(`not reached within ${maxMs} ms of device time: ${what}`);
}

/** noble's simulated HCI bindings (in process, microtask-timed). */
export const simBench: BleBench = {
  kind: 'hci-sim',
  timeoutMs: 10_000,
  log: silentLogger(),
  async central(peripherals, clock, o = {}) {
    const { central, bindings } = createSimulatedCentral(peripherals, { log: silentLogger(), clock, bonded: o.bonded ?? true });
    return { central, connects: () => bindings.stats.connects, close: () => central.close() };
  },
  advance: (clock, ms, stepMs = 100) => advance(clock, ms, stepMs),
  settle: () => flush(),
};
