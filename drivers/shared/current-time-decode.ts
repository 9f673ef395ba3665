import { ByteReader } from './byte-reader.js';
import { readBleDateTime } from './ble-date-time.js';
import type { DateTimeFields } from './date-time.js';

/** The Date Time of a 10-byte Current Time value (0x2A2B), or null when it is malformed or unknown. */
export function decodeBleTime(d: Uint8Array): DateTimeFields | null {
  if (d.length !== 10) return null;
  const t = readBleDateTime(new ByteReader(d));
  return t.ok ? t.value : null;
}
