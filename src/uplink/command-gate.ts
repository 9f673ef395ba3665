import type { Clock } from '../core/clock.js';

/**
 * Per-command-name flow control for inbound commands: each name (lane) runs at most `perSecond`
 * commands a second (token bucket, burst `perSecond`), one at a time, with at most `queueMax`
 * waiting; offer() refuses beyond that. Between two commands the lane yields to the event loop
 * (setImmediate), so a flood never holds up timers such as the alarm engine's 1 s tick. Refusal
 * replies are limited to one per second per lane (mayReply).
 */
export interface GateOptions {
  clock: Clock;
  perSecond: number;
  queueMax: number;
}

type Job = () => Promise<void>;

interface Lane {
  queue: Job[];
  tokens: number;
  refilledMono: number;
  running: boolean;
  lastReplyMono: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class CommandGate {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly o: GateOptions) {}

  /** Queues a job on a lane; false when the lane's queue is full (the job is dropped). */
  offer(lane: string, job: Job): boolean {
    const l = this.lane(lane);
    if (l.queue.length >= this.o.queueMax) return false;
    l.queue.push(job);
    void this.pump(l);
    return true;
  }

  /** True at most once per second per lane (for refusal replies). */
  mayReply(lane: string): boolean {
    const l = this.lane(lane);
    const now = this.o.clock.mono();
    if (now - l.lastReplyMono < 1000) return false;
    l.lastReplyMono = now;
    return true;
  }

  get backlog(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length + (l.running ? 1 : 0);
    return n;
  }

  clear(): void {
    for (const l of this.lanes.values()) l.queue.length = 0;
  }

  private lane(name: string): Lane {
    let l = this.lanes.get(name);
    if (!l) {
      l = { queue: [], tokens: this.o.perSecond, refilledMono: this.o.clock.mono(), running: false, lastReplyMono: -Infinity };
      this.lanes.set(name, l);
    }
    return l;
  }

  private async pump(l: Lane): Promise<void> {
    if (l.running) return;
    l.running = true;
    try {
      for (;;) {
        const job = l.queue[0];
        if (!job) break;
        const now = this.o.clock.mono();
        l.tokens = Math.min(this.o.perSecond, l.tokens + ((now - l.refilledMono) / 1000) * this.o.perSecond);
        l.refilledMono = now;
        if (l.tokens < 1) {
          const waitMs = Math.ceil(((1 - l.tokens) / this.o.perSecond) * 1000);
          await new Promise<void>((resolve) => { const t = this.o.clock.setTimeout(resolve, waitMs); t.unref?.(); });
          continue;
        }
        l.tokens -= 1;
        l.queue.shift();
        try { await job(); } catch { /* jobs report through their own reply */ }
        await yieldToLoop();
      }
    } finally {
      l.running = false;
    }
  }
}
