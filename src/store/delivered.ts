/**
 * Delivery recorded by range instead of by row: "every row of lane L with seq in [from, to] is
 * delivered" (table `delivered`, mirrored in memory). An acknowledgement writes one small row
 * instead of rewriting every acknowledged reading; the rows keep `sent_at` NULL and are pruned
 * by range (maintenance.ts when retention ends, budget.ts when the budget needs room).
 *
 * Ranges of one lane are sorted and disjoint. A new range that touches a neighbour merges with it
 * while the neighbour was delivered less than MERGE_MS ago, so a steady drain keeps a handful of
 * ranges per lane (about retention / MERGE_MS at most) and each one ages out as a unit.
 */
export interface Range {
  readonly from: number;
  readonly to: number;
  /** Wall ms of the (latest) acknowledgement in the range. */
  readonly at: number;
}

export type LaneRanges = [Range[], Range[], Range[]];

/** Touching ranges merge while the older one is younger than this. */
export const MERGE_MS = 10 * 60_000;

export function copyRanges(r: LaneRanges): LaneRanges {
  return [[...r[0]], [...r[1]], [...r[2]]];
}

/** Index of the range containing `seq`, or -1. */
export function find(list: readonly Range[], seq: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid]!;
    if (seq < r.from) hi = mid - 1;
    else if (seq > r.to) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The smallest `s >= after` such that `s + 1` is not delivered (jumps over ranges). */
export function skip(list: readonly Range[], after: number): number {
  let s = after;
  for (;;) {
    const i = find(list, s + 1);
    if (i < 0) return s;
    s = list[i]!.to;
  }
}

/** True when some range ends above `seq` (rows past it may need filtering). */
export function anyAbove(list: readonly Range[], seq: number): boolean {
  const last = list[list.length - 1];
  return last !== undefined && last.to > seq;
}

/** `from` of the first range starting after `seq`, or null. */
export function nextFrom(list: readonly Range[], seq: number): number | null {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.from > seq) hi = mid; else lo = mid + 1;
  }
  return list[lo]?.from ?? null;
}

/** The parts of [from, to] not yet covered by `list`, ascending. */
export function uncovered(list: readonly Range[], from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let s = from;
  for (const r of list) {
    if (r.to < s) continue;
    if (r.from > to) break;
    if (r.from > s) out.push([s, r.from - 1]);
    s = r.to + 1;
    if (s > to) break;
  }
  if (s <= to) out.push([s, to]);
  return out;
}

/**
 * Inserts [from, to] (disjoint from `list`) and merges it with touching recent neighbours.
 * Returns the range now in the list and the ranges it replaced (to delete from the table).
 */
export function insert(list: Range[], from: number, to: number, at: number): { merged: Range; replaced: Range[] } {
  let i = 0;
  while (i < list.length && list[i]!.to < from) i++;
  let merged: Range = { from, to, at };
  const replaced: Range[] = [];
  const prev = list[i - 1];
  if (prev && prev.to + 1 === from && at - prev.at < MERGE_MS) {
    merged = { from: prev.from, to, at: Math.max(at, prev.at) };
    replaced.push(prev);
    i--;
  }
  const next = list[i + replaced.length];
  if (next && to + 1 === next.from && at - next.at < MERGE_MS) {
    merged = { from: merged.from, to: next.to, at: Math.max(merged.at, next.at) };
    replaced.push(next);
  }
  list.splice(i, replaced.length, merged);
  return { merged, replaced };
}

/**
 * SQL for "this outbox row is delivered" for readers of the file (rig, diagnostics): `sent_at`
 * set, or inside a delivered range. Files from before ranges have no `delivered` table.
 */
export function deliveredSql(db: { prepare(sql: string): { get(): unknown } }): string {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'delivered'").get() !== undefined;
  return has
    ? '(sent_at IS NOT NULL OR EXISTS (SELECT 1 FROM delivered d WHERE d.lane = outbox.lane AND outbox.seq BETWEEN d.from_seq AND d.to_seq))'
    : '(sent_at IS NOT NULL)';
}
