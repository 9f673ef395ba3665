import type { Clock, TimerHandle } from '../src/core/clock.js';
import { FakeClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import type { Measurement } from '../src/core/reading.js';
import { createSimulatedCentral } from '../src/transport/ble/noble-central.js';
import { decodeContinuous, encodeContinuous } from '../drivers/oximeter-plxs/codec.js';
import { createPlxsSession } from '../drivers/oximeter-plxs/session.js';
import { PlxsSimulator } from '../drivers/oximeter-plxs/simulator.js';
import type { DriverContext } from '../drivers/types.js';

/**
 * BLE benchmarks:
 * - plx_decode_per_s: PLX Continuous measurements (with status and PAI) decoded per second.
 * - ble_to_pipeline_p99_ms: a notification sent by the simulated peripheral → through the
 *   simulated bindings, noble, the BleConnection and the PLXS session → Measurements handed
 *   to ctx.submit; 99th percentile over 2000 notifications (real time, performance.now()).
 */
export async function benchBle(): Promise<{ plx_decode_per_s: number; ble_to_pipeline_p99_ms: number }> {
  return { plx_decode_per_s: benchDecode(), ble_to_pipeline_p99_ms: await benchLatency() };
}

function benchDecode(): number {
  const frames = [
    encodeContinuous({ spo2: 97, pr: 72, measurementStatus: 0, deviceSensorStatus: 0, pai: 4.5 }),
    encodeContinuous({ spo2: 88, pr: 101 }),
    encodeContinuous({ spo2: 'nan', pr: 'nan', measurementStatus: 0x8000, deviceSensorStatus: 0x800 }),
  ];
  let sink = 0;
  for (let i = 0; i < 200_000; i++) { const d = decodeContinuous(frames[i % 3]!); if (d.ok) sink += d.value.spo2.value ?? 0; }
  const n = 2_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { const d = decodeContinuous(frames[i % 3]!); if (d.ok) sink += d.value.spo2.value ?? 0; }
  const s = (performance.now() - t0) / 1000;
  if (sink === -1) console.log(sink);
  return Math.round(n / s);
}

/**
 * Wall and monotonic time that jump one reading period per notification (`step`), so the
 * session (rate-limited on the monotonic clock) forwards each one.
 */
class SteppingClock implements Clock {
  constructor(private readonly inner: FakeClock) {}
  wall = Date.UTC(2026, 10, 23, 10);
  private monoOffset = 0;
  step(ms: number): void { this.wall += ms; this.monoOffset += ms; }
  now(): number { return this.wall; }
  mono(): number { return this.inner.mono() + this.monoOffset; }
  synced(): boolean { return true; }
  setTimeout(fn: () => void, ms: number): TimerHandle { return this.inner.setTimeout(fn, ms); }
  setInterval(fn: () => void, ms: number): TimerHandle { return this.inner.setInterval(fn, ms); }
  clearTimeout(h: TimerHandle): void { this.inner.clearTimeout(h); }
  clearInterval(h: TimerHandle): void { this.inner.clearInterval(h); }
}

async function benchLatency(): Promise<number> {
  const fake = new FakeClock();
  const clock = new SteppingClock(fake);
  const log = silentLogger();
  const address = '00:1C:05:FF:4E:21';
  const sim = new PlxsSimulator({ address, clock: fake, scenario: 'normal', continuousEveryMs: 3_600_000, spotCheckEveryMs: 0 });
  const { central } = createSimulatedCentral([sim], { log, clock: fake });
  let sentAt = 0;
  const lat: number[] = [];
  let onSubmit: (() => void) | null = null;
  const store = new Map<string, string>();
  const ctx: DriverContext = {
    device: { id: 'oxi-bench', kind: 'oximeter', transport: 'ble', address, options: { quirks: [], readingRateHz: 1, waveform: false, waveformHz: 25, baud: 19200, parity: 'even', dataBits: 8, stopBits: 1 } },
    hubId: 'bench', timeZone: 'UTC', log, clock, ble: central,
    async submit(ms: Measurement[]) { if (ms.length) { lat.push(performance.now() - sentAt); onSubmit?.(); } },
    linkFact() {}, setBattery() {}, reject() {}, technical() {}, deviceAlarm() {},
    state: { get: (k) => store.get(k), set: (k, v) => { store.set(k, v); } },
  };
  const session = createPlxsSession(ctx);
  await session.start();
  for (let i = 0; i < 50 && !sim.connected(); i++) await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  const frame = encodeContinuous({ spo2: 97, pr: 72, measurementStatus: 0, deviceSensorStatus: 0, pai: 4.5 });
  for (let i = 0; i < 2200; i++) {
    clock.step(1000);
    const done = new Promise<void>((r) => { onSubmit = r; });
    sentAt = performance.now();
    sim.sendRaw('2a5f', frame);
    await done;
  }
  await session.stop();
  sim.stop();
  await central.close();
  const sorted = lat.slice(200).sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length * 0.99)] ?? NaN) * 1000) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchBle().then((r) => console.log(JSON.stringify(r)), (e: unknown) => { console.error(e); process.exit(1); });
}
