import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { SerialSupervisor } from '../../src/transport/serial/supervisor.js';
import { DEFAULT_SERIAL_SETTINGS, type SerialLink, type SerialOpener } from '../../src/transport/serial/types.js';
import { advance } from '../helpers/fake-driver-context.js';
import { memoryLinkPair } from '../helpers/pty.js';

function rig(present: { v: boolean }) {
  const clock = new FakeClock();
  const attempts: number[] = [];
  const hosts: (SerialLink & { cut(): void })[] = [];
  const events: string[] = [];
  const open: SerialOpener = async (path, settings) => {
    attempts.push(clock.mono());
    expect(settings).toEqual(DEFAULT_SERIAL_SETTINGS);
    if (!present.v) return { ok: false, reason: `ENOENT ${path}` };
    const p = memoryLinkPair(path);
    hosts.push(p.host);
    return { ok: true, link: p.host };
  };
  const sup = new SerialSupervisor({
    path: '/dev/serial/by-id/usb-test', settings: DEFAULT_SERIAL_SETTINGS, clock, log: silentLogger(), open,
    minBackoffMs: 500, maxBackoffMs: 8000,
    onOpen: () => events.push('open'),
    onGone: (r) => events.push(`gone:${r}`),
  });
  return { clock, attempts, hosts, events, sup };
}

describe('SerialSupervisor', () => {
  it('retries a missing port forever with doubling, capped back-off, and reports it once', async () => {
    const present = { v: false };
    const r = rig(present);
    r.sup.start();
    await advance(r.clock, 120_000, 100);
    expect(r.events).toEqual(['gone:ENOENT /dev/serial/by-id/usb-test']);
    const gaps = r.attempts.slice(1).map((t, i) => t - (r.attempts[i] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(400);
    expect(gaps[0]).toBeLessThanOrEqual(700);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(8000 * 1.2 + 100);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(8000 * 0.8 - 100);
    expect(r.attempts.length).toBeGreaterThan(10);
    present.v = true;
    await advance(r.clock, 10_000, 100);
    expect(r.events.at(-1)).toBe('open');
    await r.sup.stop();
  });

  it('a port that disappears is reported, retried, and handed out again when it returns', async () => {
    const present = { v: true };
    const r = rig(present);
    r.sup.start();
    await advance(r.clock, 10, 10);
    expect(r.events).toEqual(['open']);
    present.v = false;
    r.hosts[0]?.cut();
    await advance(r.clock, 5000, 100);
    expect(r.events).toEqual(['open', 'gone:cable pulled']);
    present.v = true;
    await advance(r.clock, 5000, 100);
    expect(r.events).toEqual(['open', 'gone:cable pulled', 'open']);
    expect(r.sup.reconnects).toBe(1);
    await r.sup.stop();
    const n = r.attempts.length;
    await advance(r.clock, 60_000, 1000);
    expect(r.attempts.length).toBe(n); // stopped: no more attempts
  });

  it('our own close is not an outage', async () => {
    const r = rig({ v: true });
    r.sup.start();
    await advance(r.clock, 10, 10);
    await r.sup.stop();
    await advance(r.clock, 5000, 100);
    expect(r.events).toEqual(['open']);
  });
});
