/**
 * Jittered exponential back-off for reconnects: the n-th delay is drawn uniformly from the
 * upper half of min(max, min * 2^n), never below `minMs`. Jitter spreads a fleet of hubs that
 * lost the same broker so they do not all come back in the same second.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call doubles the ceiling up to maxMs. */
  next(): number {
    const max = Math.max(this.minMs, this.maxMs);
    const ceiling = Math.min(max, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const d = ceiling / 2 + this.random() * (ceiling / 2);
    return Math.round(Math.min(max, Math.max(this.minMs, d)));
  }

  /** After a successful connection. */
  reset(): void {
    this.attempt = 0;
  }
}
