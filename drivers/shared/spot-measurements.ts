import type { Logger } from '../../src/core/log.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import type { DriverContext } from '../types.js';
import { writeDeviceClock } from './current-time.js';

/**
 * What the blood pressure and weight scale sessions share around their measurements:
 * - the device user filter (`options.userId`): a shared monitor or scale also holds other
 *   people's measurements; those are skipped (counted, logged once per session);
 * - setting the device clock on every connect (Current Time Service, only with a synced hub
 *   clock; logged on change of outcome, not per connect).
 */
/**
 * Link loss of a device that connects only when the patient measures (blood pressure monitor,
 * scale, glucose meter: they advertise for a minute after a measurement and then sleep). Being
 * out of reach is their normal state, so `link_lost` means "not reached for 3 days": a missed
 * routine (a flat battery, the device taken away), not a monitoring gap of minutes.
 */
export const SPOT_LOST_AFTER_MS = 3 * 86_400_000;

/**
 * A measurement timed more than this before it reached the hub is history from the device's
 * memory (flag `stored`: stored and forwarded, but it raises no alarm now, as CGM backfill).
 * One hour: the patient measures, the device connects within minutes; a week-old low value read
 * out of a meter's memory must not sound a hypoglycaemia alarm today.
 */
export const SPOT_STORED_AFTER_MS = 3600_000;

export class SpotHelpers {
  private skipped = 0;
  private lastClock: string | null = null;

  constructor(private readonly ctx: DriverContext, private readonly log: Logger) {}

  /** True when the measurement belongs to the patient (no filter, no user id, or the configured user). */
  isPatient(userId: number | null): boolean {
    const want = this.ctx.device.options.userId;
    if (want === undefined || userId === null || userId === want) return true;
    if (this.skipped++ === 0) this.log.info({ user: userId, want }, 'skipping measurements of another device user');
    return false;
  }

  skippedCount(): number { return this.skipped; }

  /** True when a device-timed measurement is old history (only judged with a synced hub clock). */
  isHistory(t: number): boolean {
    return this.ctx.clock.synced() && this.ctx.clock.now() - t > SPOT_STORED_AFTER_MS;
  }

  async setClock(conn: BleConnection): Promise<void> {
    const r = await writeDeviceClock(conn, this.ctx, this.log);
    if (r !== this.lastClock) this.log.info({ result: r }, 'device clock');
    this.lastClock = r;
  }
}
