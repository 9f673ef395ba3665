import { ok, reject, type Decoded } from '../shared/codec.js';
import type { CrcVariant } from '../shared/crc.js';
import { encodeSfloat, readSfloat } from '../shared/sfloat.js';
import { checkTrailer, maybeCrc, u16, type CrcState, type E2eOptions } from './e2e.js';

/**
 * CGM Specific Ops Control Point (0x2AAC): op code | operand | [CRC over both]. Each op code
 * has a fixed operand length, so CRC presence is detected from the length.
 */
export const SOCP = {
  SET_INTERVAL: 1, GET_INTERVAL: 2, INTERVAL_RESPONSE: 3,
  SET_CALIBRATION: 4, GET_CALIBRATION: 5, CALIBRATION_RESPONSE: 6,
  SET_PATIENT_HIGH: 7, GET_PATIENT_HIGH: 8, PATIENT_HIGH_RESPONSE: 9,
  SET_PATIENT_LOW: 10, GET_PATIENT_LOW: 11, PATIENT_LOW_RESPONSE: 12,
  SET_HYPO: 13, GET_HYPO: 14, HYPO_RESPONSE: 15,
  SET_HYPER: 16, GET_HYPER: 17, HYPER_RESPONSE: 18,
  SET_RATE_DECREASE: 19, GET_RATE_DECREASE: 20, RATE_DECREASE_RESPONSE: 21,
  SET_RATE_INCREASE: 22, GET_RATE_INCREASE: 23, RATE_INCREASE_RESPONSE: 24,
  RESET_DEVICE_ALERT: 25, START_SESSION: 26, STOP_SESSION: 27, RESPONSE_CODE: 28,
} as const;

export const SOCP_RESULT = { SUCCESS: 1, OPCODE_NOT_SUPPORTED: 2, INVALID_OPERAND: 3, NOT_COMPLETED: 4, OUT_OF_RANGE: 5 } as const;

/** The alert levels: set / get / response op codes, by name. */
export const ALERT_LEVELS = {
  patient_high: [7, 8, 9], patient_low: [10, 11, 12], hypo: [13, 14, 15],
  hyper: [16, 17, 18], rate_decrease: [19, 20, 21], rate_increase: [22, 23, 24],
} as const;
export type AlertLevel = keyof typeof ALERT_LEVELS;

function operandLength(op: number): number | null {
  if (op === 1 || op === 3) return 1;
  if (op === 4 || op === 6) return 10;
  if (op === 5 || op === 28) return 2;
  if (op >= 7 && op <= 24) return (op - 7) % 3 === 1 ? 0 : 2;
  if (op === 2 || (op >= 25 && op <= 27)) return 0;
  return null;
}

export interface SocpMessage {
  opcode: number;
  operand: Uint8Array;
  crc: CrcState;
}

export function decodeSocp(b: Uint8Array, e2e: E2eOptions): Decoded<SocpMessage> {
  if (b.length < 1) return reject('short', 0);
  const opcode = b[0] ?? 0;
  const n = operandLength(opcode);
  if (n === null) return reject('opcode', 0);
  if (b.length < 1 + n) return reject('short', b.length);
  let crc: CrcState = 'absent';
  if (b.length === 1 + n + 2) {
    const c = checkTrailer(b, 0, b.length, e2e);
    if (!c) return reject('crc', 1 + n);
    crc = c;
  } else if (b.length !== 1 + n) {
    return reject('length', 1 + n);
  } else if (e2e.required) {
    return reject('crc', 1 + n);
  }
  if (opcode === SOCP.RESPONSE_CODE && operandLength(b[1] ?? 0) === null) return reject('opcode', 1);
  return ok({ opcode, operand: b.slice(1, 1 + n), crc });
}

export function encodeSocp(opcode: number, operand: ArrayLike<number>, crc: CrcVariant | null): Uint8Array {
  return maybeCrc(Uint8Array.from([opcode, ...Array.from(operand)]), crc);
}

export function sfloatBytes(v: number): number[] {
  const raw = encodeSfloat(v);
  return [raw & 0xff, raw >> 8];
}

export function socpToJson(m: SocpMessage): Record<string, unknown> {
  const o = m.operand;
  const out: Record<string, unknown> = { opcode: m.opcode };
  if (m.opcode === SOCP.RESPONSE_CODE) {
    out.request_opcode = o[0] ?? 0;
    out.response_code = o[1] ?? 0;
  } else if (o.length === 1) {
    out.value = o[0] ?? 0;
  } else if (o.length === 2 && m.opcode === SOCP.GET_CALIBRATION) {
    out.value = u16(o, 0);
  } else if (o.length === 2) {
    out.value = readSfloat(o, 0).value;
  } else if (o.length === 10) {
    out.value = readSfloat(o, 0).value;
    out.calibration_time_min = u16(o, 2);
    out.type = (o[4] ?? 0) & 0x0f;
    out.sample_location = (o[4] ?? 0) >> 4;
    out.next_calibration_min = u16(o, 5);
    out.record_number = u16(o, 7);
    out.calibration_status = o[9] ?? 0;
  }
  out.crc = m.crc;
  return out;
}
