import { afterEach, describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { LineBuffer } from '../../src/control/line-buffer.js';
import { CONTROL_LIMITS } from '../../src/control/limits.js';
import { createControlServer, type ControlServer } from '../../src/control/server.js';
import { silentLogger } from '../../src/core/log.js';
import { rawClient, sockPath } from './helpers.js';

const open: ControlServer[] = [];
afterEach(async () => { for (const s of open.splice(0)) await s.close(); });

async function serve(handlers: Parameters<typeof createControlServer>[0]['handlers'], limits: Parameters<typeof createControlServer>[0]['limits'] = {}): Promise<{ path: string; server: ControlServer }> {
  const path = sockPath();
  const server = await createControlServer({ path, log: silentLogger(), handlers, limits });
  open.push(server);
  return { path, server };
}

describe('control socket bounds', () => {
  it('ships bounds: 16 KiB requests, 16 connections, 30 s idle, 4 in flight', () => {
    expect(CONTROL_LIMITS).toMatchObject({ maxRequestBytes: 16_384, maxConnections: 16, idleMs: 30_000, maxInFlight: 4 });
  });

  it('line buffer reports a partial line over the limit as soon as it is pushed', () => {
    const b = new LineBuffer(10);
    expect(b.push(Buffer.from('abc\ndefghij'))).toBe(true);
    expect(b.next()?.toString()).toBe('abc');
    expect(b.next()).toBeNull();
    expect(b.push(Buffer.from('klmn'))).toBe(false); // 'defghijklmn' is 11 bytes without a newline
  });

  it('a request longer than the limit gets one error answer and the connection is destroyed', async () => {
    const { path, server } = await serve({ status: async () => 'up' }, { maxRequestBytes: 1024 });
    const c = rawClient(path);
    await c.connected;
    c.sock.write('x'.repeat(4096));
    await c.closed;
    expect(c.lines).toHaveLength(1);
    expect(JSON.parse(c.lines[0]!)).toMatchObject({ ok: false, error: expect.stringMatching(/request too long/) });
    expect(server.stats().overlong).toBe(1);
    // a whole over-long line in one chunk is refused the same way
    const d = rawClient(path);
    await d.connected;
    d.sock.write(`${JSON.stringify({ id: 1, method: 'status', args: { pad: 'y'.repeat(2000) } })}\n`);
    await d.closed;
    expect(d.lines.map((l) => JSON.parse(l).error)).toEqual([expect.stringMatching(/request too long/)]);
    expect(await controlRequest(path, 'status', {}, 2000)).toBe('up');
  });

  it('closes a connection that sends nothing, or dribbles bytes without a newline, after the idle time', async () => {
    const { path, server } = await serve({ status: async () => 'up' }, { idleMs: 300 });
    const quiet = rawClient(path);
    const dribble = rawClient(path);
    await Promise.all([quiet.connected, dribble.connected]);
    const t0 = Date.now();
    const drip = setInterval(() => dribble.sock.write('x'), 50);
    await Promise.all([quiet.closed, dribble.closed]);
    clearInterval(drip);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(JSON.parse(quiet.lines[0]!).error).toMatch(/closed: no request/);
    expect(server.stats().idleClosed).toBe(2);
    // a working client is unaffected
    expect(await controlRequest(path, 'status', {}, 2000)).toBe('up');
  });

  it('handles at most maxInFlight requests of one connection at once; the rest wait and are answered', async () => {
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const { path } = await serve({
      'alarms.test': () => new Promise((resolve) => {
        running++;
        peak = Math.max(peak, running);
        release.push(() => { running--; resolve('done'); });
      }),
    });
    const c = rawClient(path);
    await c.connected;
    c.sock.write(Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: i, method: 'alarms.test' })).join('\n') + '\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(running).toBe(4);
    while (c.lines.length < 20) {
      for (const r of release.splice(0)) r();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(peak).toBe(4);
    expect(new Set(c.lines.map((l) => JSON.parse(l).id))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i)));
    c.sock.destroy();
  });

  it('5,000 pipelined requests on one connection are all answered without stalling the event loop', async () => {
    const { path } = await serve({ status: async () => ({ ok: 1 }) });
    let worst = 0;
    let last = performance.now();
    const lag = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last - 10); last = now; }, 10);
    const c = rawClient(path);
    await c.connected;
    c.sock.write(Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: i, method: 'status' })).join('\n') + '\n');
    while (c.lines.length < 5000) await new Promise((r) => setTimeout(r, 20));
    clearInterval(lag);
    c.sock.destroy();
    expect(c.lines.every((l) => JSON.parse(l).ok === true)).toBe(true);
    // the same process runs the client and the server: a loaded CI machine gets headroom
    expect(worst).toBeLessThan(200);
  });

  it('stops reading from a client that does not read its answers', async () => {
    let calls = 0;
    const { path, server } = await serve({ status: async () => { calls++; return { pad: 'z'.repeat(8000) }; } });
    const c = rawClient(path);
    await c.connected;
    c.sock.pause(); // never reads: answers pile up in the kernel, then in the service's write queue
    const line = `${JSON.stringify({ id: 1, method: 'status' })}\n`;
    let written = 0;
    let blocked = false;
    for (let i = 0; i < 20_000 && !blocked; i++) {
      blocked = !c.sock.write(line);
      written += line.length;
      if (blocked) await Promise.race([new Promise((r) => c.sock.once('drain', r)), new Promise((r) => setTimeout(r, 1000))]).then(() => { blocked = c.sock.writableNeedDrain; });
    }
    // the service stopped taking requests long before 20,000 x 8 kB answers (160 MB) were queued:
    // what it answered fits the kernel's socket buffers plus its 256 KiB reply queue
    expect(blocked).toBe(true);
    expect(written).toBeLessThan(20_000 * line.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBeGreaterThan(0);
    expect(calls * 8000).toBeLessThan(8 * 1024 * 1024);
    expect(server.stats().open).toBe(1);
    c.sock.destroy();
  });
});
