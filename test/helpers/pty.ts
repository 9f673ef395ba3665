import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialLink } from '../../src/transport/serial/types.js';

/** True when python3 (needed for the pty pair helper) is on PATH. */
export function hasPython3(): boolean {
  const r = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** A fresh path for a pty symlink (the "cable" a test pulls and puts back). */
export function tempLinkPath(name = 'vent'): string {
  return join(mkdtempSync(join(tmpdir(), 'carehub-pty-')), name);
}

/**
 * Two in-memory SerialLinks wired back to back (a null-modem cable), delivering bytes
 * asynchronously (next microtask) like a real port. `cut()` pulls the cable: both ends close
 * with a reason.
 */
export function memoryLinkPair(path = 'mem://vent'): { host: SerialLink & { cut(): void }; device: SerialLink } {
  const mk = (): MemLink => new MemLink(path);
  const a = mk();
  const b = mk();
  a.peer = b;
  b.peer = a;
  const cut = (): void => { a.end('cable pulled'); b.end('cable pulled'); };
  return { host: Object.assign(a, { cut }), device: b };
}

class MemLink implements SerialLink {
  peer: MemLink | null = null;
  private dataCb: (b: Uint8Array) => void = () => {};
  private closeCb: (r: string | null) => void = () => {};
  private open = true;
  constructor(readonly path: string) {}
  get isOpen(): boolean { return this.open; }
  onData(cb: (b: Uint8Array) => void): void { this.dataCb = cb; }
  onClose(cb: (r: string | null) => void): void { this.closeCb = cb; }
  deliver(b: Uint8Array): void { if (this.open) this.dataCb(b); }
  write(bytes: Uint8Array): Promise<boolean> {
    if (!this.open) return Promise.resolve(false);
    const copy = Uint8Array.from(bytes);
    const peer = this.peer;
    queueMicrotask(() => peer?.deliver(copy));
    return Promise.resolve(true);
  }
  end(reason: string | null): void {
    if (!this.open) return;
    this.open = false;
    this.closeCb(reason);
  }
  close(): Promise<void> { this.end(null); return Promise.resolve(); }
}
