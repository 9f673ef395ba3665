import type { Lane } from '../../src/core/reading.js';
import type { OutboxDepth, OutboxRow, OutboxSource } from '../../src/store/outbox-types.js';

/** An in-memory OutboxSource for uplink tests (the real one is the SQLite store). */
export class MemoryOutbox implements OutboxSource {
  private seq = 0;
  private readonly rows = new Map<number, OutboxRow & { rx: number }>();
  acks = 0;

  add(lane: Lane, type: 'reading' | 'alarm', payload: string, device: string | null = null, rx = Date.now()): number {
    const seq = ++this.seq;
    this.rows.set(seq, { seq, lane, type, device, payload, rx });
    return seq;
  }

  pending(lane: Lane, afterSeq: number, max: number): OutboxRow[] {
    const out: OutboxRow[] = [];
    for (const r of this.rows.values()) {
      if (r.lane !== lane || r.seq <= afterSeq) continue;
      out.push({ seq: r.seq, lane: r.lane, type: r.type, device: r.device, payload: r.payload });
      if (out.length >= max) break;
    }
    return out;
  }

  ack(seqs: number[]): void {
    this.acks++;
    for (const s of seqs) this.rows.delete(s);
  }

  depth(): OutboxDepth {
    const byLane: [number, number, number] = [0, 0, 0];
    let oldestRx: number | null = null;
    for (const r of this.rows.values()) {
      byLane[r.lane]++;
      if (oldestRx === null || r.rx < oldestRx) oldestRx = r.rx;
    }
    return { total: this.rows.size, byLane, oldestRx };
  }
}
