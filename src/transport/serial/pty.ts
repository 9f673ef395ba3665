import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { SerialLink } from './types.js';

/**
 * A pseudo-terminal pair for simulated serial devices, needing nothing beyond python3:
 * a tiny python3 helper opens the pair, holds the slave side open (so the driver may open
 * and close it at will), optionally points a stable symlink at it, and bridges the master
 * side to its stdin/stdout. The simulator talks to the returned endpoint; the driver opens
 * `path` with serialport like any TTY. Closing the endpoint ends the helper: the pty
 * vanishes exactly like a pulled USB adapter, and the link path dangles until the next
 * pair is opened on it.
 */
export interface PtyEndpoint extends SerialLink {
  /** The path the driver should open: the symlink when one was asked for, else the pty. */
  readonly path: string;
  /** The /dev/pts/N node behind it. */
  readonly ptyPath: string;
}

const HELPER = String.raw`
import os, sys, tty, select, signal
link = sys.argv[1] if len(sys.argv) > 1 else ''
m, s = os.openpty()
tty.setraw(s)
name = os.ttyname(s)
if link:
    tmp = link + '.' + str(os.getpid()) + '.tmp'
    try:
        os.unlink(tmp)
    except OSError:
        pass
    os.symlink(name, tmp)
    os.replace(tmp, link)
def bye(*_):
    if link:
        try:
            if os.readlink(link) == name:
                os.unlink(link)
        except OSError:
            pass
    os._exit(0)
signal.signal(signal.SIGTERM, bye)
signal.signal(signal.SIGINT, bye)
signal.signal(signal.SIGPIPE, bye)
os.set_blocking(m, False)
inp = sys.stdin.fileno()
out = sys.stdout.fileno()
sys.stderr.write('PTY ' + name + '\n')
sys.stderr.flush()
while True:
    r, _, _ = select.select([m, inp], [], [])
    if m in r:
        try:
            data = os.read(m, 65536)
        except OSError:
            data = b''
        if data:
            try:
                os.write(out, data)
            except OSError:
                bye()
    if inp in r:
        data = os.read(inp, 65536)
        if not data:
            bye()
        while data:
            try:
                n = os.write(m, data)
            except OSError:
                break  # nobody reads the slave: a real line drops the bytes too
            data = data[n:]
`;

class PtyLink implements PtyEndpoint {
  private dataCb: (chunk: Uint8Array) => void = () => {};
  private closeCb: (reason: string | null) => void = () => {};
  private closed = false;
  private byUs = false;
  private exited: Promise<void>;

  constructor(readonly path: string, readonly ptyPath: string, private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (b: Buffer) => this.dataCb(b));
    child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        const was = this.closed;
        this.closed = true;
        if (!was) this.closeCb(this.byUs ? null : 'pty helper exited');
        resolve();
      });
    });
  }
  get isOpen(): boolean { return !this.closed; }
  onData(cb: (chunk: Uint8Array) => void): void { this.dataCb = cb; }
  onClose(cb: (reason: string | null) => void): void { this.closeCb = cb; }
  write(bytes: Uint8Array): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => this.child.stdin.write(bytes, (err) => resolve(!err)));
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.byUs = true;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Opens a pty pair; `linkPath` (optional) becomes a symlink to the slave side. */
export function openPtyPair(opts: { linkPath?: string; python?: string } = {}): Promise<PtyEndpoint> {
  return new Promise((resolve, reject) => {
    const args = ['-u', '-c', HELPER];
    if (opts.linkPath) args.push(opts.linkPath);
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(opts.python ?? 'python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e as Error);
      return;
    }
    let err = '';
    let done = false;
    const onErr = (e: Error): void => { if (!done) { done = true; reject(new Error(`python3 pty helper: ${e.message}`)); } };
    child.once('error', onErr);
    child.once('exit', (code) => onErr(new Error(`exited ${String(code)}: ${err.trim()}`)));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
      const m = /PTY (\S+)\n/.exec(err);
      if (m && m[1] && !done) {
        done = true;
        child.removeAllListeners('exit');
        child.off('error', onErr);
        child.on('error', () => {});
        resolve(new PtyLink(opts.linkPath ?? m[1], m[1], child));
      }
    });
  });
}
