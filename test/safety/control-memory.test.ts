import type { ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { rssMb, sockPath, startServerChild, stopChild } from '../control/helpers.js';

const children: ChildProcess[] = [];
afterEach(async () => { for (const c of children.splice(0)) await stopChild(c); });

const TOTAL = 400 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x78); // 1 MiB of 'x', no newline

/**
 * One half-open client: never reads, writes CHUNKs as fast as the socket takes them until the
 * service drops it. Resolves with the bytes the kernel accepted from it.
 */
function floodOnce(path: string, budget: number): Promise<number> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.pause();
    let sent = 0;
    let done = false;
    const end = (): void => { if (!done) { done = true; s.destroy(); resolve(sent); } };
    const pump = (): void => {
      while (!done && sent < budget) {
        sent += CHUNK.length;
        if (!s.write(CHUNK)) { s.once('drain', pump); return; }
      }
      if (sent >= budget) end();
    };
    s.on('connect', pump);
    s.on('error', end);
    s.on('close', end);
  });
}

describe('control socket memory under a half-open flood', () => {
  it('half-open clients that never read, trying to send 400 MB, leave the service RSS within 10 MB of where it started', async () => {
    const path = sockPath();
    const child = await startServerChild(path);
    children.push(child);
    const pid = child.pid!;
    // warm up the code paths that the flood uses, then take the baseline
    for (let i = 0; i < 20; i++) await controlRequest(path, 'status', {}, 2000);
    for (let i = 0; i < 100; i++) await floodOnce(path, 1024 * 1024);
    await new Promise((r) => setTimeout(r, 500));
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMb(pid)); }, 20);

    let offered = 0;
    let connections = 0;
    let largestPerConnection = 0;
    const t0 = Date.now();
    while (offered < TOTAL && Date.now() - t0 < 120_000) {
      const sent = await floodOnce(path, TOTAL - offered);
      offered += sent;
      connections++;
      largestPerConnection = Math.max(largestPerConnection, sent);
    }
    // where it settles: the dropped connections' read buffers are external memory, given back
    // when V8 next collects; on a loaded machine that can take longer than half a second
    let after = rssMb(pid);
    for (let waited = 0; waited < 5000 && Math.abs(after - before) >= 10; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      after = rssMb(pid);
    }
    clearInterval(sampler);

    expect(offered).toBeGreaterThanOrEqual(TOTAL);
    // each connection was cut off after a few MiB at most (the request limit plus socket buffers)
    expect(largestPerConnection).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(connections).toBeGreaterThan(40);
    // the bound: where it started, within 10 MB (the old code grew by the 400 MB sent)
    expect(Math.abs(after - before), `RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB (peak ${peak.toFixed(1)})`).toBeLessThan(10);
    // and on the way: read buffers awaiting collection (about 64 KiB per dropped connection) only
    expect(peak - before, `RSS ${before.toFixed(1)} → peak ${peak.toFixed(1)} MB`).toBeLessThan(25);
    // and it still answers
    expect(await controlRequest(path, 'status', {}, 1000)).toMatchObject({ hub: 'h' });
    const stats = (await controlRequest(path, 'stats', {}, 1000)) as { overlong: number };
    expect(stats.overlong).toBeGreaterThanOrEqual(connections);
    process.stdout.write(`control flood: ${connections} connections, RSS ${before.toFixed(1)} → peak ${peak.toFixed(1)} → ${after.toFixed(1)} MB\n`);
  }, 180_000);
});
