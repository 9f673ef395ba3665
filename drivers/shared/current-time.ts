import type { Logger } from '../../src/core/log.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import type { DriverContext } from '../types.js';
import { encodeBleDateTime } from './ble-date-time.js';
import { utcToLocalFields } from './local-time.js';

/**
 * Current Time Service (0x1805), Current Time characteristic (0x2A2B), as a collector writes it to
 * set a device's clock: Date Time (7 bytes) | Day of Week (1 = Monday … 7 = Sunday, 0 unknown) |
 * Fractions256 | Adjust Reason (b0 manual time update, b1 external reference time update,
 * b2 change of time zone, b3 change of DST). 10 bytes. The devices keep local wall time, so the
 * hub writes its own wall time in hub.timezone.
 */
export const CTS = { service: '1805', currentTime: '2a2b' } as const;

/** Adjust Reason b1: the time comes from an external reference (the hub's synchronised clock). */
const EXTERNAL_REFERENCE = 0x02;

export function encodeCurrentTime(utcMs: number, timeZone: string): Uint8Array {
  const f = utcToLocalFields(utcMs, timeZone);
  const d = new Date(Date.UTC(f.year, f.month - 1, f.day)).getUTCDay(); // 0 = Sunday
  return Uint8Array.from([...encodeBleDateTime(f), d === 0 ? 7 : d, 0, EXTERNAL_REFERENCE]);
}

export type ClockWrite = 'written' | 'unsynced' | 'unsupported' | 'refused';

/**
 * Set the device's clock from the hub's, only when the hub's clock is synchronised (an unsynced
 * hub would spread its own error to the device's records) and the device has the characteristic.
 * A refusal (read-only Current Time, ATT error) is logged once per session by the caller's flag.
 */
export async function writeDeviceClock(conn: BleConnection, ctx: DriverContext, log: Logger): Promise<ClockWrite> {
  if (!conn.has(CTS.service, CTS.currentTime)) return 'unsupported';
  if (!ctx.clock.synced()) return 'unsynced';
  try {
    await conn.write(CTS.service, CTS.currentTime, encodeCurrentTime(ctx.clock.now(), ctx.timeZone));
    return 'written';
  } catch (e) {
    log.debug({ err: e instanceof Error ? e.message : String(e) }, 'device refused the Current Time write');
    return 'refused';
  }
}
