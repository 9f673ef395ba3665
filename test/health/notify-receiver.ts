import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One datagram the fake service manager received: the sender's pid (SCM_CREDENTIALS) and its text. */
export interface NotifyMessage { pid: number; fields: Record<string, string> }

// A unix datagram socket as systemd's notify socket: SO_PASSCRED so each message carries the
// kernel-verified pid of the process that sent it (what NotifyAccess=main checks).
const RECEIVER = `
import socket, sys, json, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"ready": True}), flush=True)
while True:
    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = -1
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    print(json.dumps({"pid": pid, "msg": msg.decode("utf-8", "replace")}), flush=True)
`;

/** A notify socket opened by the test (python3), collecting every message sent to it. */
export class NotifyReceiver {
  readonly messages: NotifyMessage[] = [];
  private proc: ChildProcess | null = null;

  constructor(readonly path: string) {}

  async start(): Promise<void> {
    const p = spawn('python3', ['-c', RECEIVER, this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.proc = p;
    const lines = createInterface({ input: p.stdout! });
    await new Promise<void>((resolve, reject) => {
      p.once('error', reject);
      p.once('exit', (code) => reject(new Error(`notify receiver exited ${code}`)));
      lines.on('line', (line) => {
        const m = JSON.parse(line) as { ready?: boolean; pid?: number; msg?: string };
        if (m.ready) { resolve(); return; }
        const fields: Record<string, string> = {};
        for (const l of (m.msg ?? '').split('\n')) {
          const i = l.indexOf('=');
          if (i > 0) fields[l.slice(0, i)] = l.slice(i + 1);
        }
        this.messages.push({ pid: m.pid ?? -1, fields });
      });
    });
  }

  /** Resolves with the first message matching `pick`, or throws after timeoutMs. */
  async waitFor(pick: (m: NotifyMessage) => boolean, timeoutMs: number, what: string): Promise<NotifyMessage> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(pick);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    this.proc?.removeAllListeners('exit');
    this.proc?.kill('SIGKILL');
  }
}
