/**
 * MEDIBUS wire constants and frame builders (slow channel). Facts from the Draeger RS-232
 * MEDIBUS protocol definition as restated in /work/shared/specs/medibus.md; see PROTOCOL.md.
 */

export const ESC = 0x1b;
export const SOH = 0x01;
export const CR = 0x0d;
export const ETX = 0x03;
export const DC1 = 0x11;
export const DC3 = 0x13;
export const NAK = 0x15;

/** Command codes (the byte after ESC; echoed after SOH in the response). */
export const Cmd = {
  Nak: 0x15,
  AlarmsCp3: 0x23,
  MeasuredCp1: 0x24,
  LowLimitsCp1: 0x25,
  HighLimitsCp1: 0x26,
  AlarmsCp1: 0x27,
  DateTime: 0x28,
  Settings: 0x29,
  TextMessages: 0x2a,
  MeasuredCp2: 0x2b,
  LowLimitsCp2: 0x2c,
  HighLimitsCp2: 0x2d,
  AlarmsCp2: 0x2e,
  Nop: 0x30,
  TimeChanged: 0x49,
  ConfigureDataResponse: 0x4a,
  Icc: 0x51,
  DeviceId: 0x52,
  RealtimeConfig: 0x53,
  ConfigureRealtime: 0x54,
  Stop: 0x55,
  RealtimeConfigChanged: 0x56,
  TrendStatus: 0x6c,
  TrendData: 0x6d,
} as const;
export type CmdCode = (typeof Cmd)[keyof typeof Cmd];

const NAMES: Record<number, string> = {
  0x15: 'NAK', 0x23: 'alarms-cp3', 0x24: 'measured-cp1', 0x25: 'low-limits-cp1', 0x26: 'high-limits-cp1',
  0x27: 'alarms-cp1', 0x28: 'date-time', 0x29: 'settings', 0x2a: 'text-messages', 0x2b: 'measured-cp2',
  0x2c: 'low-limits-cp2', 0x2d: 'high-limits-cp2', 0x2e: 'alarms-cp2', 0x30: 'NOP', 0x49: 'time-changed',
  0x4a: 'configure-data-response', 0x51: 'ICC', 0x52: 'device-id', 0x53: 'realtime-config',
  0x54: 'configure-realtime', 0x55: 'STOP', 0x56: 'realtime-config-changed', 0x6c: 'trend-status', 0x6d: 'trend-data',
};

export function commandName(code: number): string {
  return NAMES[code] ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/** Sum of the bytes mod 256. */
export function checksum(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s = (s + (bytes[i] ?? 0)) & 0xff;
  return s;
}

const HEX = '0123456789ABCDEF';

/** Two upper-case ASCII hex digits. */
export function hex2(n: number): string {
  return (HEX[(n >> 4) & 0xf] ?? '0') + (HEX[n & 0xf] ?? '0');
}

function frame(start: number, code: number, data: string | Uint8Array): Uint8Array {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const out = new Uint8Array(body.length + 5);
  out[0] = start;
  out[1] = code;
  out.set(body, 2);
  const cs = hex2(checksum(out, 0, body.length + 2));
  out[body.length + 2] = cs.charCodeAt(0);
  out[body.length + 3] = cs.charCodeAt(1);
  out[body.length + 4] = CR;
  return out;
}

/** `ESC code [args] cs cs CR` */
export function buildCommand(code: number, args: string | Uint8Array = ''): Uint8Array {
  return frame(ESC, code, args);
}

/** `SOH code [data] cs cs CR` */
export function buildResponse(code: number, data: string | Uint8Array = ''): Uint8Array {
  return frame(SOH, code, data);
}

/** The identification this hub gives when the device asks (4-char id, name, revision). */
export const HOST_ID = "0161'carehub hub'01.00:06.00";
