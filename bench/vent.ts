/**
 * Ventilator driver benchmark: CPU share of the MEDIBUS driver plus the pipeline (plausibility,
 * alarm inputs, reading ids) while the ventilator streams three realtime channels (airway
 * pressure, flow, volume) at 125 Hz, forwarded undecimated (waveformHz 125), and is polled for
 * its slow data every second. The simulator runs in a child process on a real pty pair, so
 * process.cpuUsage() of this process is the hub side only (driver, serialport, pipeline).
 * Target: ≤ 5 % of one core. Run alone: `node --import tsx bench/vent.ts [seconds]`.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DeviceAlarm, TechnicalCondition } from '../src/alarms/types.js';
import { silentLogger } from '../src/core/log.js';
import type { Measurement, Reading } from '../src/core/reading.js';
import { SystemClock } from '../src/core/system-clock.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import type { DeviceConfig } from '../src/config/schema.js';
import type { DriverContext } from '../drivers/types.js';
import { MedibusSession } from '../drivers/ventilator-medibus/session.js';

const CHILD_FLAG = '--vent-sim-child';

async function child(linkPath: string): Promise<void> {
  const { runVentilatorSimulator } = await import('../drivers/ventilator-medibus/simulator.js');
  const sim = await runVentilatorSimulator({ scenario: 'normal', log: silentLogger(), linkPath });
  process.send?.({ path: sim.path });
  process.on('message', () => { void sim.stop().then(() => process.exit(0)); });
}

export async function benchVent(seconds = 10, o: { waveform?: boolean } = {}): Promise<{ vent_cpu_pct: number; waveform_samples_per_s: number; readings_per_s: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-vent-bench-'));
  const link = join(dir, 'vent');
  const sim = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, link], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await new Promise<void>((resolve, reject) => {
      sim.once('message', () => resolve());
      sim.once('exit', (code) => reject(new Error(`simulator exited ${String(code)}`)));
    });
    const clock = new SystemClock(true);
    const log = silentLogger();
    let readings = 0;
    let samples = 0;
    const pipeline = new Pipeline({
      clock, log,
      alarms: { onReading: () => {}, technical: () => {}, deviceAlarm: () => {} },
      sink: { submit: async (rs: Reading[]) => { readings += rs.length; for (const r of rs) samples += r.samples?.length ?? 0; } },
    });
    const device = {
      id: 'vent-bench', kind: 'ventilator', transport: 'serial', protocol: 'medibus', path: link,
      options: { quirks: [], readingRateHz: 1, waveform: o.waveform ?? true, waveformHz: 125, baud: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
    } as DeviceConfig;
    const ctx: DriverContext = {
      device, hubId: 'hub-bench', timeZone: 'UTC', log, clock, serialPath: link,
      submit: (ms: Measurement[]) => pipeline.submit(device.id, 'ventilator', ms),
      linkFact: () => {}, setBattery: () => {}, reject: () => {},
      technical: (_c: Omit<TechnicalCondition, 'device'>) => {}, deviceAlarm: (_a: DeviceAlarm) => {},
      state: { get: () => undefined, set: () => {} },
    };
    const session = new MedibusSession(ctx);
    await session.start();
    await new Promise((r) => setTimeout(r, 3000)); // connect, configure realtime, warm up
    readings = 0;
    samples = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    await session.stop();
    const pct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    return {
      vent_cpu_pct: Math.round(pct * 100) / 100,
      waveform_samples_per_s: Math.round(samples / (wallMs / 1000)),
      readings_per_s: Math.round((readings / (wallMs / 1000)) * 10) / 10,
    };
  } finally {
    sim.send('stop');
    await new Promise((r) => { sim.once('exit', r); setTimeout(r, 2000); });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG) {
  void child(process.argv[3] ?? join(tmpdir(), 'carehub-vent-bench'));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchVent(Number(process.argv[2] ?? 10)).then((r) => { console.log(JSON.stringify(r)); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
