import type { Socket } from 'node:net';
import type { ControlLimits } from './limits.js';
import { LineBuffer } from './line-buffer.js';
import { MAX_RESPONSE_BYTES, type ControlResponse } from './protocol.js';

export type CloseReason = 'overlong' | 'idle' | 'evicted';

export interface ConnectionDeps {
  limits: ControlLimits;
  handle(line: string): Promise<ControlResponse>;
  /** Called once when the connection is done (closed by either side). */
  onGone(c: ControlConnection, reason: CloseReason | null): void;
}

/**
 * One client connection. Reading is paused while a chunk is being worked through, so the
 * kernel's socket buffer, not the heap, holds whatever a client sends ahead: the service holds
 * at most one partial line (`maxRequestBytes`) plus one chunk, at most `maxInFlight` requests
 * being handled and about `maxQueuedReplyBytes` of answers a client has not read. Requests
 * are taken a few at a time per event-loop turn, so a client pipelining thousands of them
 * cannot hold up the alarm engine's timers.
 */
export class ControlConnection {
  private readonly lines: LineBuffer;
  private readonly idleTimer: NodeJS.Timeout;
  private inFlight = 0;
  private gone = false;
  private pumpQueued = false;
  /** performance.now() of the last progress (request taken or answer written). */
  idleSince = performance.now();

  constructor(readonly sock: Socket, private readonly d: ConnectionDeps) {
    this.lines = new LineBuffer(d.limits.maxRequestBytes);
    this.idleTimer = setTimeout(() => this.fail('idle', `closed: no request for ${Math.round(d.limits.idleMs / 1000)} s`), d.limits.idleMs);
    this.idleTimer.unref();
    sock.on('error', () => { /* the client went away; 'close' follows */ });
    sock.on('close', () => this.finish(null));
    sock.on('drain', () => this.schedulePump());
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** True when no request is being handled: such a connection may be evicted for a new one. */
  get evictable(): boolean {
    return !this.gone && this.inFlight === 0;
  }

  /**
   * Sends one error line and destroys the connection at once: nothing more is read from it.
   * The line is written straight into the kernel's buffer when that has room (always, unless
   * the client left earlier answers unread), where the client can still read it.
   */
  fail(reason: CloseReason, message: string): void {
    if (this.gone) return;
    this.finish(reason);
    sendAndDestroy(this.sock, message);
  }

  private finish(reason: CloseReason | null): void {
    if (this.gone) return;
    this.gone = true;
    clearTimeout(this.idleTimer);
    this.d.onGone(this, reason);
  }

  private onData(chunk: Buffer): void {
    this.sock.pause();
    if (!this.lines.push(chunk)) {
      this.fail('overlong', `request too long (more than ${this.d.limits.maxRequestBytes} bytes without a newline)`);
      return;
    }
    this.pump();
  }

  private schedulePump(): void {
    if (this.pumpQueued || this.gone) return;
    this.pumpQueued = true;
    setImmediate(() => { this.pumpQueued = false; this.pump(); });
  }

  private pump(): void {
    const { maxInFlight, maxQueuedReplyBytes, maxRequestBytes } = this.d.limits;
    while (!this.gone && this.inFlight < maxInFlight && this.sock.writableLength <= maxQueuedReplyBytes) {
      const line = this.lines.next();
      if (line === null) break;
      if (line.length > maxRequestBytes) {
        this.fail('overlong', `request too long (more than ${maxRequestBytes} bytes)`);
        return;
      }
      const text = line.toString('utf8').trim();
      if (!text) continue;
      this.progress();
      this.inFlight++;
      const done = (r: ControlResponse): void => {
        this.inFlight--;
        this.reply(r);
        this.schedulePump();
      };
      this.d.handle(text).then(done, (err: unknown) => done({ id: null, ok: false, error: (err as Error).message }));
    }
    if (this.gone) return;
    // read more only when every complete line has been taken and there is room for it
    if (!this.lines.hasLine() && this.inFlight < maxInFlight && this.sock.writableLength <= maxQueuedReplyBytes) this.sock.resume();
  }

  private reply(r: ControlResponse): void {
    if (this.gone || !this.sock.writable) return;
    let text: string;
    try {
      text = JSON.stringify(r);
    } catch (err) {
      text = JSON.stringify({ id: r.id, ok: false, error: `answer not serialisable: ${(err as Error).message}` });
    }
    if (Buffer.byteLength(text) >= MAX_RESPONSE_BYTES) text = JSON.stringify({ id: r.id, ok: false, error: 'answer too long' });
    this.sock.write(`${text}\n`);
    this.progress();
  }

  private progress(): void {
    this.idleSince = performance.now();
    this.idleTimer.refresh();
  }
}

/** One error line, then the socket is destroyed (used for refusals before a connection exists too). */
export function sendAndDestroy(sock: Socket, message: string): void {
  sock.removeAllListeners('data');
  sock.pause();
  if (sock.writable) sock.write(`${JSON.stringify({ id: null, ok: false, error: message })}\n`);
  sock.destroy();
}
