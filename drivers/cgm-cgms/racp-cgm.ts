import { ok, reject, type Decoded } from '../shared/codec.js';
import { u16 } from './e2e.js';

/**
 * Record Access Control Point (0x2A52) as CGMS uses it: op code | operator | operand. The
 * filter type for operators ≤, ≥ and range is 0x01 Time Offset (uint16 minutes). RACP never
 * carries an E2E-CRC. (CGMS-local helpers: the shared drivers/shared/racp.ts did not exist when
 * this driver was written; the wire format is the same.)
 */
export const RACP_OP = { REPORT: 1, DELETE: 2, ABORT: 3, REPORT_COUNT: 4, COUNT_RESPONSE: 5, RESPONSE_CODE: 6 } as const;
export const RACP_OPERATOR = { NULL: 0, ALL: 1, LE: 2, GE: 3, RANGE: 4, FIRST: 5, LAST: 6 } as const;
export const RACP_RESPONSE = {
  SUCCESS: 1, OPCODE_NOT_SUPPORTED: 2, INVALID_OPERATOR: 3, OPERATOR_NOT_SUPPORTED: 4, INVALID_OPERAND: 5,
  NO_RECORDS: 6, ABORT_UNSUCCESSFUL: 7, NOT_COMPLETED: 8, OPERAND_NOT_SUPPORTED: 9,
} as const;
export const FILTER_TIME_OFFSET = 0x01;

export type RacpMessage =
  | { kind: 'response'; requestOpcode: number; responseCode: number }
  | { kind: 'count'; count: number }
  | { kind: 'request'; opcode: number; operator: number; filter: number | null; operands: number[] };

export function decodeRacp(b: Uint8Array): Decoded<RacpMessage> {
  if (b.length < 2) return reject('short', b.length);
  const opcode = b[0] ?? 0;
  const operator = b[1] ?? 0;
  if (opcode === RACP_OP.RESPONSE_CODE) {
    if (operator !== 0) return reject('reserved', 1);
    if (b.length < 4) return reject('short', b.length);
    if (b.length > 4) return reject('length', 4);
    return ok({ kind: 'response', requestOpcode: b[2] ?? 0, responseCode: b[3] ?? 0 });
  }
  if (opcode === RACP_OP.COUNT_RESPONSE) {
    if (operator !== 0) return reject('reserved', 1);
    if (b.length < 4) return reject('short', b.length);
    if (b.length > 4) return reject('length', 4);
    return ok({ kind: 'count', count: u16(b, 2) });
  }
  if (opcode < 1 || opcode > 4) return reject('opcode', 0);
  if (operator > 6) return reject('reserved', 1);
  const needsFilter = operator >= RACP_OPERATOR.LE && operator <= RACP_OPERATOR.RANGE;
  if (!needsFilter) {
    if (b.length > 2) return reject('length', 2);
    return ok({ kind: 'request', opcode, operator, filter: null, operands: [] });
  }
  const want = 3 + (operator === RACP_OPERATOR.RANGE ? 4 : 2);
  if (b.length < want) return reject('short', b.length);
  if (b.length > want) return reject('length', want);
  const operands = operator === RACP_OPERATOR.RANGE ? [u16(b, 3), u16(b, 5)] : [u16(b, 3)];
  return ok({ kind: 'request', opcode, operator, filter: b[2] ?? 0, operands });
}

export function racpToJson(m: RacpMessage, raw: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = { opcode: raw[0] ?? 0, operator: raw[1] ?? 0 };
  if (m.kind === 'response') { out.request_opcode = m.requestOpcode; out.response_code = m.responseCode; }
  if (m.kind === 'count') out.count = m.count;
  if (m.kind === 'request') { out.filter_type = m.filter; out.operand = m.operands; }
  return out;
}

export const racpReportAll = (): Uint8Array => Uint8Array.from([RACP_OP.REPORT, RACP_OPERATOR.ALL]);
export const racpReportFrom = (offset: number): Uint8Array =>
  Uint8Array.from([RACP_OP.REPORT, RACP_OPERATOR.GE, FILTER_TIME_OFFSET, offset & 0xff, (offset >> 8) & 0xff]);
export const racpAbort = (): Uint8Array => Uint8Array.from([RACP_OP.ABORT, RACP_OPERATOR.NULL]);
export const racpCount = (): Uint8Array => Uint8Array.from([RACP_OP.REPORT_COUNT, RACP_OPERATOR.ALL]);
export const racpResponse = (requestOpcode: number, code: number): Uint8Array =>
  Uint8Array.from([RACP_OP.RESPONSE_CODE, 0, requestOpcode, code]);
export const racpCountResponse = (n: number): Uint8Array => Uint8Array.from([RACP_OP.COUNT_RESPONSE, 0, n & 0xff, (n >> 8) & 0xff]);
