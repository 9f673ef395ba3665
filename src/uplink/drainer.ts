import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { LANE_ALARM, LANE_CLINICAL, LANE_HIGHRATE, type Lane } from '../core/reading.js';
import type { DeliveredRange, OutboxRow, OutboxSource } from '../store/outbox-types.js';
import type { BatchEncoder } from './batch-encoder.js';

/** What the drainer needs from a live MQTT connection: a QoS 1 publish with a PUBACK callback. */
export interface QoS1Publisher {
  publish(topic: string, payload: string | Buffer, cb: (err?: Error) => void): void;
}

export interface DrainerOptions {
  outbox: OutboxSource;
  readingsTopic: string;
  alarmEventsTopic: string;
  /** Builds one batch payload from the stored reading payload strings (in seq order). */
  encoder: BatchEncoder;
  batchMaxReadings: number;
  batchMaxDelayMs: number;
  clock: Clock;
  log: Logger;
  /** Safety poll for rows stored without a kick(), ms. */
  pollMs?: number;
  /**
   * Runs `fn` soon; PUBACKs that arrive before it runs are acked in the outbox together (one
   * transaction, one fsync, instead of one per batch). Default setImmediate; tests pass a
   * synchronous one.
   */
  defer?: (fn: () => void) => void;
}

export interface DrainerStats {
  publishedBatches: number;
  publishedAlarmEvents: number;
  ackedRows: number;
  publishErrors: number;
  /** Wall time (ms) the broker's last acknowledgement was recorded; null before the first. */
  lastAckAt: number | null;
  inflight: number;
  /** Delivered rows whose acknowledgement could not be written yet (retried). */
  acksWaiting: number;
}

/**
 * Delivered rows kept for an ack retry at most. Beyond it they are let go and the cursors rewind,
 * so those rows are sent again (at-least-once; the backend de-duplicates on the id).
 */
export const ACK_RETRY_MAX = 200_000;
const RETRY_MS = 1000;

const READING_LANES: readonly Lane[] = [LANE_CLINICAL, LANE_HIGHRATE];

/**
 * What one PUBACK delivered: every unsent row of `lane` in [from, to] (the batch was read as the
 * first rows after `from - 1`), `rows` of them; `seqs` only for an outbox without ackRanges.
 */
interface Delivery extends DeliveredRange {
  rows: number;
  seqs: number[] | null;
}

/**
 * Drains the outbox over one connection at a time. Lane 0 (alarm events, one message each) is
 * looked at before every readings batch, so an alarm never waits behind a backlog; lane 1 goes
 * before lane 2. Several QoS 1 messages are in flight; rows are acked in the outbox only from the
 * PUBACK callback of the message that carried them. On detach (connection lost) the cursors go
 * back to zero, so every unacked row is fetched and sent again on the next connection.
 *
 * An acknowledgement that cannot be written (disk full, I/O error) never strands its rows: the
 * seqs are kept and the ack is retried every second (and with every later ack); meanwhile no new
 * readings batches are sent (alarm events still are), so the retry list stays bounded by the
 * in-flight window. Past ACK_RETRY_MAX seqs, or on detach, they are let go and the rows are sent
 * again instead.
 */
export class Drainer {
  private pub: QoS1Publisher | null = null;
  private gen = 0;
  private cap = 1;
  private inflight = 0;
  private inflightReadings = 0;
  private readonly cursor: [number, number, number] = [0, 0, 0];
  private pumping = false;
  private flushTimer: TimerHandle | null = null;
  private pollTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private readonly idleListeners = new Set<() => void>();
  private ackQueue: Delivery[] = [];
  private ackQueued = 0;
  private ackScheduled = false;
  /** Deliveries not yet marked in the outbox because the ack write failed. */
  private ackRetry: Delivery[] = [];
  private ackRetryRows = 0;
  private readonly byRange: boolean;
  private readonly s = { publishedBatches: 0, publishedAlarmEvents: 0, ackedRows: 0, publishErrors: 0, lastAckAt: null as number | null };
  lastError: string | null = null;

  constructor(private readonly o: DrainerOptions) {
    this.byRange = typeof o.outbox.ackRanges === 'function';
  }

  /** A connection is up: start draining with at most `cap` unacknowledged messages. */
  attach(pub: QoS1Publisher, cap: number): void {
    this.gen++;
    this.pub = pub;
    this.cap = Math.max(1, cap);
    this.resetFlight();
    if (!this.pollTimer) this.pollTimer = this.o.clock.setInterval(() => this.pump(), this.o.pollMs ?? 2000);
    this.pump();
  }

  /** The connection is gone: forget what was in flight; it is re-sent after the next attach. */
  detach(): void {
    this.flushAcks();
    if (this.ackRetry.length) {
      this.o.log.warn({ rows: this.ackRetryRows }, 'acknowledgements still unwritten at disconnect: those rows are sent again');
      this.ackRetry = [];
      this.ackRetryRows = 0;
    }
    this.gen++;
    this.pub = null;
    this.resetFlight();
    this.clearTimers();
  }

  /** New rows were stored: alarm events go now, readings within batchMaxDelayMs. */
  kick(): void {
    if (!this.pub) return;
    this.pumpAlarms();
    if (this.flushTimer) return;
    this.flushTimer = this.o.clock.setTimeout(() => {
      this.flushTimer = null;
      this.pump();
    }, this.o.batchMaxDelayMs);
  }

  /** Called when nothing is left to send and nothing is in flight. */
  onIdle(fn: () => void): () => void {
    this.idleListeners.add(fn);
    return () => this.idleListeners.delete(fn);
  }

  stats(): DrainerStats {
    return { ...this.s, inflight: this.inflight, acksWaiting: this.ackRetryRows };
  }

  private resetFlight(): void {
    this.inflight = 0;
    this.inflightReadings = 0;
    this.cursor[0] = 0;
    this.cursor[1] = 0;
    this.cursor[2] = 0;
  }

  private clearTimers(): void {
    for (const t of [this.flushTimer, this.retryTimer]) if (t) this.o.clock.clearTimeout(t);
    if (this.pollTimer) this.o.clock.clearInterval(this.pollTimer);
    this.flushTimer = this.retryTimer = this.pollTimer = null;
  }

  /** Readings may use all but one slot, so an alarm event always finds one free soon. */
  private readingCap(): number {
    return this.cap > 1 ? this.cap - 1 : 1;
  }

  private pumpAlarms(): void {
    if (this.pumping || !this.pub) return;
    this.pumping = true;
    try {
      this.sendAlarms();
    } catch (err) {
      this.storeFailed(err);
    } finally {
      this.pumping = false;
    }
  }

  private pump(): void {
    if (this.pumping || !this.pub) return;
    this.pumping = true;
    let sentSomething = false;
    try {
      while (this.pub && this.inflight < this.cap) {
        if (this.sendAlarms()) { sentSomething = true; continue; }
        if (this.inflightReadings >= this.readingCap() || this.ackRetry.length > 0) break;
        if (!this.sendBatch()) break;
        sentSomething = true;
      }
    } catch (err) {
      this.storeFailed(err);
    } finally {
      this.pumping = false;
    }
    if (!sentSomething && this.inflight === 0 && this.ackQueued === 0 && this.ackRetry.length === 0 && this.pub) {
      for (const fn of this.idleListeners) fn();
    }
  }

  private storeFailed(err: unknown, what = 'reading the outbox'): void {
    const msg = err instanceof Error ? err.message : String(err);
    if (this.lastError !== msg) this.o.log.error({ err: msg }, `${what} failed; retrying`);
    this.lastError = msg;
    if (this.retryTimer) return;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.ackRetry.length) this.flushAcks();
      this.pump();
    }, RETRY_MS);
  }

  /** Sends pending alarm events (lane 0), one message each. True when at least one went out. */
  private sendAlarms(): boolean {
    const pub = this.pub;
    const room = this.cap - this.inflight;
    if (!pub || room <= 0) return false;
    const rows = this.o.outbox.pending(LANE_ALARM, this.cursor[0], room);
    for (const row of rows) {
      this.cursor[0] = row.seq;
      this.inflight++;
      const gen = this.gen;
      this.s.publishedAlarmEvents++;
      const d: Delivery = { lane: LANE_ALARM, from: row.seq, to: row.seq, rows: 1, seqs: this.byRange ? null : [row.seq] };
      pub.publish(this.o.alarmEventsTopic, row.payload, (err) => this.done(gen, d, false, err));
    }
    return rows.length > 0;
  }

  /** Sends one readings batch from the most urgent non-empty lane. True when one went out. */
  private sendBatch(): boolean {
    const pub = this.pub;
    if (!pub) return false;
    const wrap = this.byRange ? this.o.encoder.wrap : undefined;
    for (const lane of READING_LANES) {
      if (wrap && this.o.outbox.pendingJoined) {
        // the store builds the whole batch in SQLite: one string per batch, none per reading
        const j = this.o.outbox.pendingJoined(lane, this.cursor[lane], this.o.batchMaxReadings, wrap);
        if (!j) continue;
        this.cursor[lane] = j.lastSeq;
        this.publishBatch(pub, j.body, { lane, from: j.from, to: j.lastSeq, rows: j.rows, seqs: null, read: j.read });
        return true;
      }
      const after = this.cursor[lane];
      const rows: OutboxRow[] = this.o.outbox.pending(lane, after, this.o.batchMaxReadings);
      const last = rows[rows.length - 1];
      if (!last) continue;
      this.cursor[lane] = last.seq;
      const seqs = this.byRange ? null : new Array<number>(rows.length);
      const payloads = new Array<string>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        if (seqs) seqs[i] = r.seq;
        payloads[i] = r.payload;
      }
      // pending() returned the first unsent rows after `after`: the range starts right there
      const d: Delivery = { lane, from: after + 1, to: last.seq, rows: rows.length, seqs };
      this.publishBatch(pub, this.o.encoder.encode(payloads).body, d);
      return true;
    }
    return false;
  }

  private publishBatch(pub: QoS1Publisher, body: string | Buffer, d: Delivery): void {
    this.inflight++;
    this.inflightReadings++;
    this.s.publishedBatches++;
    const gen = this.gen;
    pub.publish(this.o.readingsTopic, body, (err) => this.done(gen, d, true, err));
  }

  private done(gen: number, d: Delivery, isBatch: boolean, err?: Error): void {
    if (!err) {
      // A PUBACK arrived: the broker has the rows, whatever happened to the connection since.
      this.ackQueue.push(d);
      this.ackQueued += d.rows;
      if (this.ackQueued >= 50_000) this.flushAcks();
      else if (!this.ackScheduled) {
        this.ackScheduled = true;
        (this.o.defer ?? setImmediate)(() => { this.ackScheduled = false; this.flushAcks(); this.pump(); });
      }
    } else {
      this.s.publishErrors++;
      if (this.lastError !== err.message) this.o.log.debug({ err: err.message }, 'publish not acknowledged; rows stay queued');
      this.lastError = err.message;
    }
    if (gen !== this.gen) return;
    this.inflight--;
    if (isBatch) this.inflightReadings--;
    if (err) {
      // Not acknowledged on a live connection (e.g. a broker reason code): resend from the start.
      this.cursor[0] = 0;
      this.cursor[1] = 0;
      this.cursor[2] = 0;
      this.scheduleRetry();
      return;
    }
    this.pump();
  }

  /** Writes the queued acknowledgements (and any that failed before) to the outbox in one call. */
  private flushAcks(): void {
    if (this.ackQueued === 0 && this.ackRetry.length === 0) return;
    const all = this.ackRetry.length ? [...this.ackRetry, ...this.ackQueue] : this.ackQueue;
    const rows = this.ackRetryRows + this.ackQueued;
    this.ackQueue = [];
    this.ackQueued = 0;
    this.ackRetry = [];
    this.ackRetryRows = 0;
    try {
      const outbox = this.o.outbox;
      if (outbox.ackRanges) outbox.ackRanges(all.map(({ lane, from, to, read }) => ({ lane, from, to, read })));
      else outbox.ack(all.length === 1 ? all[0]!.seqs ?? [] : all.flatMap((d) => d.seqs ?? []));
      this.s.ackedRows += rows;
      this.s.lastAckAt = this.o.clock.now();
    } catch (e) {
      if (rows <= ACK_RETRY_MAX) {
        this.ackRetry = all; // retried by the timer and with the next ack
        this.ackRetryRows = rows;
      } else {
        // too many to keep: the rows stay unsent in the store; rewind so they are sent again
        this.o.log.warn({ rows }, 'acknowledgements could not be written: those rows are sent again');
        this.cursor[0] = 0;
        this.cursor[1] = 0;
        this.cursor[2] = 0;
      }
      this.storeFailed(e, 'writing acknowledgements');
    }
  }
}
