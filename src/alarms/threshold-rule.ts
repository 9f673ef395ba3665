import type { BoundRule } from './config-schema.js';
import type { Priority } from './types.js';

/**
 * One threshold alarm condition (metric + direction) with several levels, evaluated purely.
 * Levels go from mild to severe (validated by the schema). A level counts as crossed while the
 * value is beyond its limit; once asserted it stays crossed until the value is back `hysteresis`
 * inside the limit. A level is asserted when it has been crossed for its condition delay (or was
 * already asserted). The condition exists while any level is asserted; its level is the worst one.
 */
export type Direction = 'low' | 'high';

export interface ThresholdState {
  /** Monotonic ms since when each level has been crossed without a break; undefined: not crossed. */
  crossedSince: (number | undefined)[];
  /** Index of the worst asserted level, -1 when the condition does not exist. */
  asserted: number;
}

export interface ThresholdResult {
  /** Index of the worst asserted level, -1 when none. */
  level: number;
  /** True when a level is crossed but still inside its delay (the tick must look again). */
  pending: boolean;
}

export function newThresholdState(levels: number): ThresholdState {
  return { crossedSince: new Array<number | undefined>(levels).fill(undefined), asserted: -1 };
}

export function evaluateThreshold(dir: Direction, rule: BoundRule, state: ThresholdState, value: number, mono: number): ThresholdResult {
  const levels = rule.levels;
  let asserted = -1;
  let pending = false;
  for (let i = 0; i < levels.length; i++) {
    const lvl = levels[i]!;
    const held = i <= state.asserted;
    const edge = held ? (dir === 'low' ? lvl.limit + rule.hysteresis : lvl.limit - rule.hysteresis) : lvl.limit;
    const crossed = dir === 'low' ? value < edge : value > edge;
    if (!crossed) {
      state.crossedSince[i] = undefined;
      continue;
    }
    const since = state.crossedSince[i] ?? mono;
    state.crossedSince[i] = since;
    if (held || mono - since >= lvl.delayS * 1000) asserted = i;
    else pending = true;
  }
  state.asserted = asserted;
  return { level: asserted, pending };
}

/** Forget crossings that have not yet become an alarm (used when the source goes stale). */
export function dropPending(state: ThresholdState): void {
  for (let i = state.asserted + 1; i < state.crossedSince.length; i++) state.crossedSince[i] = undefined;
}

/** Keeps a state consistent with a rule that changed its number of levels. */
export function resizeThresholdState(state: ThresholdState, levels: number): void {
  state.crossedSince.length = levels;
  for (let i = 0; i < levels; i++) if (state.crossedSince[i] === undefined) state.crossedSince[i] = undefined;
  if (state.asserted >= levels) state.asserted = levels - 1;
}

export function levelPriority(rule: BoundRule, level: number): Priority {
  return rule.levels[level]?.priority ?? 'low';
}
