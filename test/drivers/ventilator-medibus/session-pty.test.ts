import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/core/system-clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { metricSpec } from '../../../src/core/metrics/index.js';
import { MedibusSession } from '../../../drivers/ventilator-medibus/session.js';
import { runVentilatorSimulator, type VentilatorSimHandle } from '../../../drivers/ventilator-medibus/simulator.js';
import { definition } from '../../../drivers/ventilator-medibus/definition.js';
import { fakeDriverContext, type FakeDriverContext } from '../../helpers/fake-driver-context.js';
import { hasPython3, tempLinkPath } from '../../helpers/pty.js';

// Real pseudo-terminal pair (python3 helper) and the real serialport on the driver side.
const clock = new SystemClock(true);
const log = silentLogger();
let sim: VentilatorSimHandle | null = null;
let session: MedibusSession | null = null;

afterEach(async () => {
  await session?.stop();
  await sim?.stop();
  session = null;
  sim = null;
});

async function until(cond: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

function context(path: string, waveform = false): FakeDriverContext {
  return fakeDriverContext({
    clock, log, serialPath: path,
    device: { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus', path, options: { waveform, waveformHz: 25 } as never },
  });
}

describe.skipIf(!hasPython3())('MEDIBUS over a real pty pair', () => {
  it('reads values with catalogue units and MDC codes, and waveforms', async () => {
    const link = tempLinkPath();
    sim = await runVentilatorSimulator({ scenario: 'normal', log, clock, linkPath: link });
    expect(sim.path).toBe(link);
    const ctx = context(link, true);
    session = new MedibusSession(ctx);
    await session.start();
    await until(() => ctx.metric('paw_waveform').length >= 1 && ctx.metric('peep_set').length >= 1, 5000);
    expect(ctx.link()).toBe('connected');
    expect(metricSpec('peep')).toMatchObject({ mdc: 151976, unit: 'mbar' });
    expect(metricSpec('tidal_volume')).toMatchObject({ mdc: 151980, unit: 'mL' });
    expect(metricSpec('minute_volume')).toMatchObject({ mdc: 151880, unit: 'L/min' });
    expect(metricSpec('resp_rate')).toMatchObject({ mdc: 151586, unit: '/min' });
    expect(metricSpec('fio2')).toMatchObject({ mdc: 152196, unit: '%' });
    expect(metricSpec('leak')).toMatchObject({ mdc: 152432, unit: 'L/min' });
    expect(ctx.metric('resp_rate').at(-1)?.value).toBe(16);
    expect(ctx.metric('paw_waveform')[0]?.samples?.length).toBe(25);
    expect(ctx.rejections).toEqual([]);
  });

  it('cable pulled and put back on the same path: lost, serial_port_gone, then connected again', async () => {
    const link = tempLinkPath();
    sim = await runVentilatorSimulator({ scenario: 'normal', log, clock, linkPath: link });
    const ctx = context(link);
    session = new MedibusSession(ctx, { minBackoffMs: 100, maxBackoffMs: 400 });
    await session.start();
    await until(() => ctx.link() === 'connected', 5000);
    await sim.stop();
    sim = null;
    await until(() => ctx.link() === 'lost', 2000);
    expect(ctx.technicalActive('serial_port_gone')).toBe(true);
    await new Promise((r) => setTimeout(r, 1000)); // retries against a missing path, no crash
    sim = await runVentilatorSimulator({ scenario: 'normal', log, clock, linkPath: link });
    await until(() => ctx.link() === 'connected', 5000);
    expect(ctx.technicalActive('serial_port_gone')).toBe(false);
    const n = ctx.metric('peep').length;
    await until(() => ctx.metric('peep').length > n, 3000);
  });

  it('device falls silent: link lost within 3 s (+ one tick) and a technical condition', async () => {
    const link = tempLinkPath();
    sim = await runVentilatorSimulator({ scenario: 'normal', log, clock, linkPath: link });
    const ctx = context(link);
    session = new MedibusSession(ctx);
    await session.start();
    await until(() => ctx.link() === 'connected', 5000);
    sim.device.mute(true);
    const took = await until(() => ctx.link() === 'lost', 5000);
    expect(took).toBeLessThanOrEqual(3300);
    expect(ctx.technicalActive('link_lost')).toBe(true);
    sim.device.mute(false);
    await until(() => ctx.link() === 'connected', 6000);
    expect(ctx.technicalActive('link_lost')).toBe(false);
  });

  it('forwards ventilator alarms (disconnection scenario)', async () => {
    const link = tempLinkPath();
    sim = await runVentilatorSimulator({ scenario: 'disconnection', log, clock, linkPath: link, model: { faultStartS: 1, faultLenS: 2 } });
    const ctx = context(link);
    session = new MedibusSession(ctx);
    await session.start();
    await until(() => ctx.deviceAlarms.some((a) => !a.active), 8000);
    expect(ctx.deviceAlarms.map((a) => [a.code, a.priority, a.active])).toEqual([['cp1:0x9A', 'high', true], ['cp1:0x9A', 'high', false]]);
  });

  it('the definition\'s simulator serves a pty path the definition\'s driver reads', async () => {
    expect(definition.simulator?.transport).toBe('serial');
    if (definition.simulator?.transport !== 'serial') return;
    const ep = await definition.simulator.start({
      device: { id: 'vent-def', kind: 'ventilator', transport: 'serial', options: {} as never } as never,
      scenario: 'no-such-scenario', clock, log,
    });
    const ctx = context(ep.path);
    const drv = definition.create(ctx);
    try {
      await drv.start();
      await until(() => ctx.metric('peep').length > 0, 5000);
    } finally {
      await drv.stop();
      await ep.stop();
    }
  });

  it('serves TCP like a ser2net adapter', async () => {
    sim = await runVentilatorSimulator({ scenario: 'normal', log, clock, tcpPort: 0 });
    const url = `tcp://127.0.0.1:${sim.port ?? 0}`;
    const ctx = context(url);
    session = new MedibusSession(ctx);
    await session.start();
    await until(() => ctx.metric('peep').length > 0, 5000);
    expect(ctx.link()).toBe('connected');
  });
});
