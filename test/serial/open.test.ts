import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listSerialPorts } from '../../src/transport/serial/list.js';
import { openSerialLink, parseTcpUrl } from '../../src/transport/serial/open.js';
import { openPtyPair } from '../../src/transport/serial/pty.js';
import { DEFAULT_SERIAL_SETTINGS } from '../../src/transport/serial/types.js';
import { hasPython3, tempLinkPath } from '../helpers/pty.js';

const S = DEFAULT_SERIAL_SETTINGS;

describe('serial links', () => {
  it('parses tcp:// URLs', () => {
    expect(parseTcpUrl('tcp://10.0.0.5:2001')).toEqual({ host: '10.0.0.5', port: 2001 });
    expect(parseTcpUrl('tcp://[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(parseTcpUrl('tcp://host')).toBeNull();
    expect(parseTcpUrl('tcp://host:99999')).toBeNull();
  });

  it('a missing TTY is a result, not a throw', async () => {
    const r = await openSerialLink('/dev/serial/by-id/usb-nothing-here', S);
    expect(r.ok).toBe(false);
  });

  it('a refused tcp:// connection is a result, not a throw', async () => {
    const srv = createServer();
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((res) => srv.close(() => res()));
    const r = await openSerialLink(`tcp://127.0.0.1:${port}`, S);
    expect(r.ok).toBe(false);
  });

  it('tcp:// carries bytes both ways and reports the far end closing', async () => {
    const srv = createServer((sock) => { sock.on('data', (b) => { sock.write(b); sock.end(); }); });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
    const port = (srv.address() as { port: number }).port;
    const r = await openSerialLink(`tcp://127.0.0.1:${port}`, S);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const got: number[] = [];
    const closed = new Promise<string | null>((res) => r.link.onClose(res));
    r.link.onData((b) => got.push(...b));
    expect(await r.link.write(Uint8Array.from([0x1b, 0x51, 0x36, 0x43, 0x0d]))).toBe(true);
    expect(await closed).toBe('connection closed');
    expect(got).toEqual([0x1b, 0x51, 0x36, 0x43, 0x0d]);
    expect(await r.link.write(Uint8Array.from([1]))).toBe(false);
    srv.close();
  });

  it('listSerialPorts never throws (no udevadm here)', async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const p of ports) expect(p.path.startsWith('/dev/')).toBe(true);
  });
});

describe.skipIf(!hasPython3())('pty pair', () => {
  it('links the slave path, carries bytes, and vanishes like a pulled adapter', async () => {
    const link = tempLinkPath('tty');
    const ep = await openPtyPair({ linkPath: link });
    expect(ep.path).toBe(link);
    expect(ep.ptyPath).toMatch(/^\/dev\/pts\//);
    const r = await openSerialLink(link, { baud: 38400, parity: 'odd', dataBits: 8, stopBits: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const atDriver: number[] = [];
    const atSim: number[] = [];
    r.link.onData((b) => atDriver.push(...b));
    ep.onData((b) => atSim.push(...b));
    const closed = new Promise<string | null>((res) => r.link.onClose(res));
    await ep.write(Uint8Array.from([0x01, 0x51, 0x35, 0x32, 0x0d, 0xd1, 0x80]));
    await r.link.write(Uint8Array.from([0x1b, 0x51, 0x36, 0x43, 0x0d]));
    const t0 = Date.now();
    while ((atDriver.length < 7 || atSim.length < 5) && Date.now() - t0 < 2000) await new Promise((res) => setTimeout(res, 10));
    expect(atDriver).toEqual([0x01, 0x51, 0x35, 0x32, 0x0d, 0xd1, 0x80]); // 8-bit clean, raw
    expect(atSim).toEqual([0x1b, 0x51, 0x36, 0x43, 0x0d]);
    await ep.close();
    expect(typeof (await closed)).toBe('string'); // the driver side sees the port go
    const again = await openSerialLink(link, S);
    expect(again.ok).toBe(false);
  });
});
