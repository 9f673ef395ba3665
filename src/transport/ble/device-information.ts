import type { BleConnection } from './types.js';

/** Device Information Service (0x180A) strings a device may expose. */
export interface DeviceInformation {
  manufacturer?: string;
  model?: string;
  serial?: string;
  firmware?: string;
}

const DIS = '180a';
const FIELDS: [keyof DeviceInformation, string][] = [
  ['manufacturer', '2a29'],
  ['model', '2a24'],
  ['serial', '2a25'],
  ['firmware', '2a26'],
];
/** Longest string kept per field (the characteristics are UTF-8 of any length). */
export const DIS_FIELD_MAX = 64;

/**
 * Read what the device says about itself from its Device Information Service, if present. Each
 * field is bounded (DIS_FIELD_MAX characters, control characters dropped); a missing or failing
 * characteristic leaves its field out: a device without DIS gives an empty object.
 */
export async function readDeviceInformation(conn: BleConnection): Promise<DeviceInformation> {
  const info: DeviceInformation = {};
  for (const [field, uuid] of FIELDS) {
    if (!conn.has(DIS, uuid)) continue;
    try {
      const text = cleanText(await conn.read(DIS, uuid));
      if (text) info[field] = text;
    } catch {
      // an unreadable field is left out; the pairing itself already succeeded
    }
  }
  return info;
}

function cleanText(bytes: Uint8Array): string {
  // eslint-disable-next-line no-control-regex
  const s = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, DIS_FIELD_MAX * 4)).replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return [...s].slice(0, DIS_FIELD_MAX).join('');
}

/** `manufacturer Acme, model X1, serial 123, firmware 1.0` (only the fields present). */
export function describeDeviceInformation(i: DeviceInformation): string {
  return FIELDS.filter(([f]) => i[f] !== undefined).map(([f]) => `${f} ${i[f] ?? ''}`).join(', ');
}
