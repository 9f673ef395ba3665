import type { Lane } from '../core/reading.js';

/** One unsent row of the outbox, as the uplink sees it. */
export interface OutboxRow {
  /** Insertion sequence: the drain order within a lane (immune to wall-clock steps). */
  seq: number;
  lane: Lane;
  type: 'reading' | 'alarm';
  device: string | null;
  /** Serialized JSON: a ReadingJson (type reading) or an AlarmEvent (type alarm). */
  payload: string;
}

export interface OutboxDepth {
  total: number;
  byLane: [number, number, number];
  /** Wall time (ms) of the oldest unsent row's receipt, or null when empty. */
  oldestRx: number | null;
}

export interface JoinedRows {
  /** The first seq the batch covers: delivered ranges before it were skipped. */
  from: number;
  lastSeq: number;
  rows: number;
  /** What the read counted, for the acknowledgement of [from, lastSeq] (DeliveredRange.read). */
  read: ReadCount;
  /** `prefix`, the payloads in seq order comma-separated, `suffix`: the whole batch payload. */
  body: string;
}

/** What a joined batch is wrapped in (the batch format's envelope around the readings). */
export interface BatchWrap {
  prefix: string;
  suffix: string;
}

/**
 * Rows and accounted bytes a batch read found unsent in its range, and the outbox's removal mark
 * at that moment: while the mark is unchanged no unsent row has left the outbox other than by
 * being recorded delivered, so an acknowledgement of exactly that range, none of it delivered
 * yet, marks exactly these rows and need not count them again.
 */
export interface ReadCount {
  rows: number;
  bytes: number;
  mark: number;
}

/** Every unsent row of `lane` with seq in [from, to] was delivered (one PUBACK). */
export interface DeliveredRange {
  lane: Lane;
  from: number;
  to: number;
  /** What the batch read counted in [from, to], when it was read by pendingJoined. */
  read?: ReadCount;
}

/** The outbox as the uplink drains it. Implemented by the SQLite store. */
export interface OutboxSource {
  /** Unsent rows of one lane with seq > afterSeq, in seq order, at most `max`. */
  pending(lane: Lane, afterSeq: number, max: number): OutboxRow[];
  /**
   * The payloads of what `pending(lane, afterSeq, max)` would return, joined with commas, with the last seq and the row count; null when nothing is pending. Optional: a faster
   * read for the drain (no object or string per row).
   */
  pendingJoined?(lane: Lane, afterSeq: number, max: number, wrap?: BatchWrap): JoinedRows | null;
  /** Mark rows delivered; call only after the broker acknowledged (PUBACK) them. */
  ack(seqs: number[]): void;
  /**
   * Mark delivered by range (cheaper than by row). A range may start anywhere after the previous
   * batch of its lane: rows in it that are already delivered are left alone. Optional: without
   * it the uplink acks by seq.
   */
  ackRanges?(ranges: DeliveredRange[]): void;
  depth(): OutboxDepth;
}
