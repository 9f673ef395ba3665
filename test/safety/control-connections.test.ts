import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { rawClient, sockPath, startServerChild, stopChild } from '../control/helpers.js';

const children: ChildProcess[] = [];
afterEach(async () => { for (const c of children.splice(0)) await stopChild(c); });

interface Stats { open: number; peakOpen: number; accepted: number; evicted: number; refused: number }

describe('control socket connection cap', () => {
  it('5,000 connection attempts: at most 16 open at once, and a good client is still answered within 1 s', async () => {
    const path = sockPath();
    const child = await startServerChild(path);
    children.push(child);

    // 5,000 clients that connect and then say nothing, in waves of 500 (the test's own fd budget)
    const held: Array<ReturnType<typeof rawClient>> = [];
    let connected = 0;
    let toldWhy = 0;
    const during: number[] = [];
    for (let wave = 0; wave < 10; wave++) {
      const batch = Array.from({ length: 500 }, () => rawClient(path));
      // a technician's `carehub status` in the middle of the wave
      const t = performance.now();
      const good = controlRequest(path, 'status', {}, 1000).then(() => during.push(performance.now() - t));
      const results = await Promise.allSettled(batch.map((c) => c.connected));
      await good;
      connected += results.filter((r) => r.status === 'fulfilled').length;
      held.push(...batch);
      // let the service work through the wave, then release what it closed
      await new Promise((r) => setTimeout(r, 50));
      for (const c of batch) if (c.sock.destroyed || c.lines.length > 0) c.sock.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    toldWhy = held.filter((c) => c.lines.some((l) => /too many control connections/.test(l))).length;
    const stillOpen = held.filter((c) => !c.sock.destroyed && c.lines.length === 0);

    expect(during).toHaveLength(10);
    expect(Math.max(...during)).toBeLessThan(1000);
    const t0 = performance.now();
    expect(await controlRequest(path, 'status', {}, 1000)).toMatchObject({ hub: 'h' });
    expect(performance.now() - t0).toBeLessThan(1000);

    const s = (await controlRequest(path, 'stats', {}, 1000)) as Stats;
    expect(s.peakOpen).toBeLessThanOrEqual(16);
    expect(s.accepted + s.refused).toBeGreaterThanOrEqual(5000);
    expect(s.evicted + s.refused).toBeGreaterThanOrEqual(5000 - 16);
    expect(connected).toBe(5000);
    // every connection closed for the cap was told why, in one line
    expect(toldWhy).toBeGreaterThanOrEqual(5000 - 16 - 1);
    expect(stillOpen.length).toBeLessThanOrEqual(16);
    for (const c of held) c.sock.destroy();
  }, 120_000);
});
