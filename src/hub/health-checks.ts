import type { Clock } from '../core/clock.js';
import type { HealthCheck } from '../health/watchdog.js';

/** The alarm engine must have completed an evaluation tick (1 s) within this time. */
export const ENGINE_STALL_MS = 5000;

/**
 * What the systemd watchdog is pinged for: the alarm engine evaluates (a tick that throws or
 * never runs does not count) and the store answers. A hub failing either is restarted by systemd.
 */
export function hubHealthChecks(clock: Clock, engine: { lastTickMono: number }, store: { depth(): unknown }): HealthCheck[] {
  return [
    () => (clock.mono() - engine.lastTickMono > ENGINE_STALL_MS ? `alarm engine has not evaluated for more than ${ENGINE_STALL_MS / 1000} s` : null),
    () => { try { store.depth(); return null; } catch (err) { return `store: ${(err as Error).message}`; } },
  ];
}
