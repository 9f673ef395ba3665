import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import type { OpenResult, SerialLink, SerialSettings } from './types.js';

/**
 * Opens a serial link: `tcp://host:port` through a TCP socket (ser2net and similar
 * serial-over-IP adapters; baud and parity are then the adapter's business), anything else
 * as a TTY or pseudo-terminal through `serialport`. Failure is a result, never a throw.
 */
export async function openSerialLink(path: string, settings: SerialSettings): Promise<OpenResult> {
  if (path.startsWith('tcp://')) return openTcp(path);
  return openTty(path, settings);
}

/** Parses `tcp://host:port`; null when malformed. */
export function parseTcpUrl(url: string): { host: string; port: number } | null {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(url);
  if (!m || !m[1] || !m[2]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

class LinkBase {
  protected dataCb: (chunk: Uint8Array) => void = () => {};
  protected closeCb: (reason: string | null) => void = () => {};
  protected closed = false;
  protected closingByUs = false;
  onData(cb: (chunk: Uint8Array) => void): void { this.dataCb = cb; }
  onClose(cb: (reason: string | null) => void): void { this.closeCb = cb; }
  get isOpen(): boolean { return !this.closed; }
  protected finish(reason: string | null): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCb(this.closingByUs ? null : reason);
  }
}

class TtyLink extends LinkBase implements SerialLink {
  constructor(readonly path: string, private readonly port: SerialPort) {
    super();
    port.on('data', (b: Buffer) => this.dataCb(b));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => this.finish(err ? `closed: ${err.message}` : 'closed'));
    port.on('error', (err: Error) => {
      this.finish(`error: ${err.message}`);
      if (port.isOpen) port.close(() => {});
    });
  }
  write(bytes: Uint8Array): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        this.port.write(Buffer.from(bytes), (err) => resolve(!err));
      } catch {
        resolve(false);
      }
    });
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closingByUs = true;
    return new Promise((resolve) => {
      this.port.close(() => { this.finish(null); resolve(); });
    });
  }
}

class TcpLink extends LinkBase implements SerialLink {
  constructor(readonly path: string, private readonly sock: Socket) {
    super();
    sock.setNoDelay(true);
    sock.on('data', (b: Buffer) => this.dataCb(b));
    sock.on('error', (err: Error) => this.finish(`error: ${err.message}`));
    sock.on('close', () => this.finish('connection closed'));
  }
  write(bytes: Uint8Array): Promise<boolean> {
    if (this.closed || this.sock.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => this.sock.write(bytes, (err) => resolve(!err)));
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closingByUs = true;
    return new Promise((resolve) => {
      this.sock.once('close', () => resolve());
      this.sock.destroy();
    });
  }
}

function openTty(path: string, s: SerialSettings): Promise<OpenResult> {
  return new Promise((resolve) => {
    let port: SerialPort;
    try {
      port = new SerialPort({
        path, baudRate: s.baud, parity: s.parity, dataBits: s.dataBits, stopBits: s.stopBits,
        autoOpen: false, lock: false,
      });
    } catch (e) {
      resolve({ ok: false, reason: (e as Error).message });
      return;
    }
    // An 'error' before the link wraps the port must not become an uncaught exception.
    const early = (): void => {};
    port.on('error', early);
    port.open((err) => {
      port.off('error', early);
      if (err) resolve({ ok: false, reason: err.message });
      else resolve({ ok: true, link: new TtyLink(path, port) });
    });
  });
}

function openTcp(url: string): Promise<OpenResult> {
  const target = parseTcpUrl(url);
  if (!target) return Promise.resolve({ ok: false, reason: `not a tcp://host:port URL: ${url}` });
  return new Promise((resolve) => {
    const sock = connect({ host: target.host, port: target.port });
    const onError = (err: Error): void => { sock.destroy(); resolve({ ok: false, reason: err.message }); };
    const timer = setTimeout(() => onError(new Error('connect timeout')), 5000);
    sock.once('error', onError);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.off('error', onError);
      resolve({ ok: true, link: new TcpLink(url, sock) });
    });
  });
}
