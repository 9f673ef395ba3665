import type { DeviceState } from '../types.js';
import { sessionStartUtcMs, type SessionStartTime } from './codec-session.js';

/**
 * Which sensor session the records belong to, and how far they are stored. Kept as ONE JSON
 * value under `cgms.session` in the device's persistent state, so the session and its cursor
 * change together.
 *
 * Session id: derived from the session start time (UTC, to the second: `20261123T095300Z`),
 * not from a counter. A start time the hub wrote to the sensor is read back unchanged after a
 * hub reinstall, so the ids of a running session stay the same even when the hub lost its
 * state; two sessions cannot start in the same second. When the sensor cannot store the start
 * time, the hub's estimate is persisted here and reused while the offsets keep growing.
 */
export interface CgmSessionState {
  v: 1;
  id: string;
  /** Session start, ms since the epoch (UTC). */
  startMs: number;
  /** True only when the start time came from the sensor itself with a known zone. */
  deviceTime: boolean;
  /** Highest time offset durably stored (all records up to it are stored), or null. */
  cursor: number | null;
}

const KEY = 'cgms.session';
/** A hub estimate of an unknown start (now − offset) may differ by the offset's minute rounding. */
const ESTIMATE_TOLERANCE_MS = 3 * 60_000;

export function loadSession(state: DeviceState): CgmSessionState | null {
  const raw = state.get(KEY);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<CgmSessionState>;
    if (v.v !== 1 || typeof v.id !== 'string' || typeof v.startMs !== 'number' || typeof v.deviceTime !== 'boolean') return null;
    const cursor = typeof v.cursor === 'number' && Number.isInteger(v.cursor) ? v.cursor : null;
    return { v: 1, id: v.id, startMs: v.startMs, deviceTime: v.deviceTime, cursor };
  } catch {
    return null;
  }
}

export function saveSession(state: DeviceState, s: CgmSessionState): void {
  state.set(KEY, JSON.stringify(s));
}

export function sessionIdFor(startMs: number): string {
  return new Date(Math.floor(startMs / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export interface Resolution {
  session: CgmSessionState;
  /** True when this is a session the hub has not seen before. */
  isNew: boolean;
  /** The hub should write this start time (ms UTC) to the sensor. */
  writeStartMs: number | null;
}

/**
 * Decide the session from what the sensor reports.
 * @param start the Session Start Time read from the sensor (null when not supported/readable)
 * @param currentOffset the sensor's current time offset (CGM Status), null when unknown
 */
export function resolveSession(
  prev: CgmSessionState | null,
  start: SessionStartTime | null,
  currentOffset: number | null,
  hubNowMs: number,
): Resolution {
  const known = start ? sessionStartUtcMs(start) : null;
  if (known) {
    const same = prev && (prev.startMs === known.ms || (!prev.deviceTime && Math.abs(prev.startMs - known.ms) <= ESTIMATE_TOLERANCE_MS));
    if (same && offsetPlausible(prev, currentOffset)) return { session: prev, isNew: false, writeStartMs: null };
    return { session: fresh(known.ms, known.exact), isNew: true, writeStartMs: null };
  }
  if (currentOffset === null) {
    if (prev) return { session: prev, isNew: false, writeStartMs: null };
    const s = fresh(hubNowMs, false);
    return { session: s, isNew: true, writeStartMs: s.startMs };
  }
  const estimate = Math.floor((hubNowMs - currentOffset * 60_000) / 1000) * 1000;
  if (prev && !prev.deviceTime && Math.abs(prev.startMs - estimate) <= ESTIMATE_TOLERANCE_MS && offsetPlausible(prev, currentOffset)) {
    return { session: prev, isNew: false, writeStartMs: prev.startMs };
  }
  const s = fresh(estimate, false);
  return { session: s, isNew: true, writeStartMs: s.startMs };
}

function offsetPlausible(prev: CgmSessionState, currentOffset: number | null): boolean {
  return currentOffset === null || prev.cursor === null || currentOffset >= prev.cursor;
}

function fresh(startMs: number, deviceTime: boolean): CgmSessionState {
  return { v: 1, id: sessionIdFor(startMs), startMs, deviceTime, cursor: null };
}

export function recordKey(sessionId: string, offset: number): string {
  return `session:${sessionId}|off:${offset}`;
}
