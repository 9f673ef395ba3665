import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { CommandRouter } from './commands.js';

/** `cmd/ping`: `{"id":"..."}` → `{"id","ok":true,"error":null,"pong":true,"t":ISO,"version"}`. */
export function registerPing(router: CommandRouter, clock: Clock, version: string): void {
  router.register('ping', z.strictObject({}), () => ({ pong: true, t: new Date(clock.now()).toISOString(), version }), { stateChanging: false });
}
