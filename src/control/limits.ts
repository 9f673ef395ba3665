/**
 * Every bound of the control socket in one place. The socket is local and guarded by its file
 * mode, but a runaway or hostile local client must never grow the hub's memory or starve the
 * alarm loop: each of these is enforced while reading, and tested at its limit
 * (test/control/limits.test.ts, test/safety/control-*.test.ts).
 */
export interface ControlLimits {
  /**
   * Longest request line (the largest real request, `rig.fault` with its arguments, is well under
   * 1 kB). Longer: one error answer, then the connection is destroyed.
   */
  maxRequestBytes: number;
  /** Open connections. One more evicts the connection idle the longest, else is refused. */
  maxConnections: number;
  /** A connection that makes no progress (no complete request, no answer written) this long is closed. */
  idleMs: number;
  /** Requests of one connection being handled at once; further lines wait unread in the kernel. */
  maxInFlight: number;
  /** Answer bytes queued for a client that does not read; beyond it the service stops reading that client. */
  maxQueuedReplyBytes: number;
}

export const CONTROL_LIMITS: Readonly<ControlLimits> = Object.freeze({
  maxRequestBytes: 16 * 1024,
  maxConnections: 16,
  idleMs: 30_000,
  maxInFlight: 4,
  maxQueuedReplyBytes: 256 * 1024,
});
