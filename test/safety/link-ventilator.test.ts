import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/system-clock.js';
import { silentLogger } from '../../src/core/log.js';
import { MedibusSession } from '../../drivers/ventilator-medibus/session.js';
import { runVentilatorSimulator, type VentilatorSimHandle } from '../../drivers/ventilator-medibus/simulator.js';
import { fakeDriverContext, type FakeDriverContext } from '../helpers/fake-driver-context.js';
import { hasPython3, tempLinkPath } from '../helpers/pty.js';

// The production DriverContext (link owner included) over a real pipeline, alarm engine with
// the shipped default rules, registry and SQLite store; the real serialport on a real pty pair.
const clock = new SystemClock(true);
const log = silentLogger();
const sims: VentilatorSimHandle[] = [];
let session: MedibusSession | null = null;

afterEach(async () => {
  await session?.stop();
  session = null;
  for (const s of sims.splice(0)) await s.stop();
});

async function until(cond: () => boolean, ms: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

async function sim(link: string, muted = false): Promise<VentilatorSimHandle> {
  const s = await runVentilatorSimulator({ scenario: 'normal', log, clock, linkPath: link, muted });
  sims.push(s);
  return s;
}

function ventilator(link: string): FakeDriverContext {
  return fakeDriverContext({
    clock, log, serialPath: link,
    device: { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus', path: link, options: { waveform: false, waveformHz: 25 } as never },
  });
}

const cleared = (ctx: FakeDriverContext, condition: string): number =>
  ctx.alarmEvents.filter((e) => e.condition === condition && e.event === 'cleared').length;

describe.skipIf(!hasPython3())('ventilator link and data: one owner, raised and cleared from facts', () => {
  it('a silent ventilator whose cable is re-plugged onto a device that still says nothing stays in alarm (high) until it answers', async () => {
    const link = tempLinkPath();
    const first = await sim(link);
    const ctx = ventilator(link);
    session = new MedibusSession(ctx, { minBackoffMs: 100, maxBackoffMs: 400 });
    await session.start();
    await until(() => ctx.link() === 'connected', 5000, 'connected');

    first.device.mute(true); // stops answering; the port stays open
    await until(() => ctx.technicalActive('link_lost'), 5000, 'link_lost after silence');
    expect(ctx.active('link_lost')?.priority).toBe('high');

    await first.stop(); // cable pulled ...
    sims.splice(sims.indexOf(first), 1);
    await until(() => ctx.technicalActive('serial_port_gone'), 3000, 'serial_port_gone');
    expect(ctx.active('serial_port_gone')?.priority).toBe('high');
    const second = await sim(link, true); // ... and put back onto a device that is still silent
    await until(() => !ctx.technicalActive('serial_port_gone'), 5000, 'port re-opened');

    // Past the MEDIBUS 3-second rule on the new line: still unmonitored, still in alarm.
    await new Promise((r) => setTimeout(r, 4000));
    expect(ctx.technicalActive('link_lost')).toBe(true);
    expect(ctx.active('link_lost')?.priority).toBe('high');
    expect(cleared(ctx, 'link_lost')).toBe(0);
    expect(ctx.link()).toBe('lost');
    expect(ctx.registry.status()[0]?.link).toBe('lost');

    second.device.mute(false); // the device answers again: only now does the alarm end
    await until(() => ctx.link() === 'connected', 8000, 'connected again');
    expect(ctx.technicalActive('link_lost')).toBe(false);
    expect(cleared(ctx, 'link_lost')).toBe(1);
    expect(ctx.alarmEvents.filter((e) => e.condition === 'link_lost' && e.event === 'raised')).toHaveLength(1);
  });

  it('ventilator data stale while the link is up raises stale_data at high priority, cleared when data returns', async () => {
    const link = tempLinkPath();
    const dev = await sim(link);
    const ctx = ventilator(link);
    session = new MedibusSession(ctx);
    await session.start();
    await until(() => ctx.metric('paw_peak').length > 0 && ctx.metric('resp_rate').length > 0, 5000, 'first values');

    dev.device.standby(true); // answers every request, measures nothing
    const took = await until(() => ctx.alarmEvents.some((e) => e.condition === 'stale_data' && e.event === 'raised'), 15_000, 'stale_data');
    expect(took).toBeGreaterThanOrEqual(9000); // 5 × 2 s, not earlier
    const stale = ctx.engine.active().filter((a) => a.condition === 'stale_data' && a.device === 'vent-1');
    expect(stale.map((a) => a.priority)).toEqual(stale.map(() => 'high'));
    expect(stale.map((a) => a.metric).sort()).toContain('paw_peak');
    expect(ctx.link()).toBe('connected'); // the link is fine: this is the data rule, not the link rule
    expect(ctx.technicalActive('link_lost')).toBe(false);

    dev.device.standby(false);
    await until(() => !ctx.engine.active().some((a) => a.condition === 'stale_data' && a.device === 'vent-1'), 5000, 'stale cleared');
  }, 30_000);
});
