/**
 * Client-id conflict: two hubs connecting with the same MQTT client id (a cloned SD card, a
 * copied config) knock each other off the broker, each reconnecting at once and taking the
 * session back. This tells that pattern apart and answers it with a long, jittered back-off
 * instead of a fight, plus the technical condition `uplink_client_conflict`.
 *
 * What counts as a takeover:
 * - a DISCONNECT from the broker with reason code 0x8E (session taken over; MQTT 5 brokers such
 *   as EMQX and HiveMQ send it);
 * - the connection closed without any DISCONNECT less than `shortLivedMs` after the CONNACK:
 *   MQTT 3.1.1 has no reason codes, and mosquitto 2.0 just closes the socket of the old
 *   connection on MQTT 5 too. A flapping network can look the same, hence "probably" in the text.
 * A DISCONNECT with any other reason (0x8B server shutting down, ...) never counts.
 * `threshold` takeovers within `windowMs` mean a conflict. While it lasts, every reconnect waits
 * `backoffMinMs` .. 2 × `backoffMinMs` (uniform), so two clones share the broker in turns of
 * minutes rather than fighting many times a second. It ends once a connection has held
 * `clearAfterMs` (longer than the longest conflict back-off, so a clone that is also backing
 * off would have come back by then), or at stop.
 */
export interface ConflictTuning {
  /** Takeovers within `windowMs` that mean a conflict. Default 3. */
  threshold: number;
  windowMs: number;
  /** MQTT 3.1.1: a broker close sooner than this after the CONNACK counts as a takeover. */
  shortLivedMs: number;
  /** Conflict back-off: uniform in [backoffMinMs, 2 × backoffMinMs]. */
  backoffMinMs: number;
  /** A connection that holds this long ends the conflict. */
  clearAfterMs: number;
}

export const CONFLICT_DEFAULTS: ConflictTuning = {
  threshold: 3,
  windowMs: 10 * 60_000,
  shortLivedMs: 10_000,
  backoffMinMs: 5 * 60_000,
  clearAfterMs: 15 * 60_000,
};

/** MQTT 5 reason code of a DISCONNECT: another connection took over this client id's session. */
export const REASON_SESSION_TAKEN_OVER = 0x8e;

/** Every bound explicit: tuning outside these ranges is clamped. */
const MAX_THRESHOLD = 100;
const MAX_MS = 24 * 3_600_000;

export interface ConflictReport {
  active: boolean;
  text: string;
}

export class ClientConflict {
  private readonly t: ConflictTuning;
  /** Monotonic times of recent takeovers, at most `threshold` kept. */
  private takeovers: number[] = [];
  private inConflict = false;
  private total = 0;

  constructor(
    tuning: Partial<ConflictTuning> | undefined,
    private readonly random: () => number,
    private readonly report: (r: ConflictReport) => void,
  ) {
    const t = { ...CONFLICT_DEFAULTS, ...tuning };
    const ms = (v: number) => Math.min(MAX_MS, Math.max(0, Math.round(v)));
    this.t = {
      threshold: Math.min(MAX_THRESHOLD, Math.max(1, Math.round(t.threshold))),
      windowMs: ms(t.windowMs),
      shortLivedMs: ms(t.shortLivedMs),
      backoffMinMs: Math.max(1, ms(t.backoffMinMs)),
      clearAfterMs: ms(t.clearAfterMs),
    };
  }

  get active(): boolean { return this.inConflict; }
  /** Takeovers seen since start. */
  get takeoverCount(): number { return this.total; }
  get clearAfterMs(): number { return this.t.clearAfterMs; }

  /**
   * A connection ended. `reasonCode`: of the broker's DISCONNECT (MQTT 5), if one came;
   * `heldMs`: since its CONNACK (null when it never connected).
   * True when it counted as a takeover.
   */
  ended(now: number, reasonCode: number | undefined, heldMs: number | null): boolean {
    if (heldMs === null) return false;
    const definite = reasonCode === REASON_SESSION_TAKEN_OVER;
    const takeover = definite || (reasonCode === undefined && heldMs < this.t.shortLivedMs);
    if (!takeover) return false;
    this.total++;
    this.takeovers.push(now);
    this.takeovers = this.takeovers.filter((at) => now - at <= this.t.windowMs).slice(-this.t.threshold);
    if (!this.inConflict && this.takeovers.length >= this.t.threshold) {
      this.inConflict = true;
      const seen = definite
        ? 'the broker keeps handing this hub\'s session to another connection (session taken over)'
        : 'the broker keeps closing this hub\'s connection right after it connects';
      const mins = Math.max(1, Math.round(this.t.backoffMinMs / 60_000));
      const text = `MQTT client id conflict: ${seen}; another hub probably uses the same client id (a cloned SD card or config?). Reconnecting only every ${mins} min or more until it stops; data is kept on the hub`;
      this.report({ active: true, text });
    }
    return true;
  }

  /** The delay before the next attempt while in conflict, else null (the normal back-off applies). */
  delay(): number | null {
    if (!this.inConflict) return null;
    return Math.round(this.t.backoffMinMs * (1 + this.random()));
  }

  /** A connection has held `clearAfterMs`: the conflict is over. */
  held(): void {
    this.takeovers = [];
    if (!this.inConflict) return;
    this.inConflict = false;
    this.report({ active: false, text: 'MQTT client id conflict over: the connection holds' });
  }

  /** The uplink stopped: a raised condition is cleared (nothing reports on it any more). */
  reset(): void {
    this.held();
  }
}
