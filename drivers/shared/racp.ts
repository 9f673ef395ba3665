import { ok, reject, type Codec, type Decoded } from './codec.js';

/**
 * Record Access Control Point (0x2A52), generic over the profiles that use it (PLXS, CGMS,
 * Glucose). Request: op code | operator | operand. Responses: op code 5 (count, u16) and
 * op code 6 (request op code + response value). Filtered operators (≤, ≥, range) carry a
 * filter type byte first; filter type 0x01 (sequence number / time offset, u16) is decoded,
 * other filter types are kept as raw operand bytes.
 */
export const RACP_UUID = '2a52';

export const RacpOp = { report: 1, delete: 2, abort: 3, reportCount: 4, countResponse: 5, responseCode: 6 } as const;
export const RacpOperator = { null: 0, all: 1, lessOrEqual: 2, greaterOrEqual: 3, range: 4, first: 5, last: 6 } as const;
export const RacpResponse = {
  success: 1, opNotSupported: 2, invalidOperator: 3, operatorNotSupported: 4, invalidOperand: 5,
  noRecords: 6, abortUnsuccessful: 7, notCompleted: 8, operandNotSupported: 9,
} as const;

const OP_NAMES = ['reserved', 'report_stored_records', 'delete_stored_records', 'abort', 'report_number_of_records', 'number_of_records_response', 'response_code'];
const OPERATOR_NAMES = ['null', 'all', 'less_or_equal', 'greater_or_equal', 'within_range', 'first', 'last'];
const RESPONSE_NAMES = ['reserved', 'success', 'op_code_not_supported', 'invalid_operator', 'operator_not_supported', 'invalid_operand', 'no_records_found', 'abort_unsuccessful', 'procedure_not_completed', 'operand_not_supported'];

export interface RacpMessage {
  opcode: number;
  operator: number;
  /** Op code 6: the request it answers and the result. */
  requestOpcode?: number;
  responseCode?: number;
  /** Op code 5: number of stored records. */
  count?: number;
  /** Operators 2–4: filter type and, for filter type 1, the u16 bound(s). */
  filterType?: number;
  filterMin?: number;
  filterMax?: number;
  /** Operand bytes not decoded above. */
  operand: Uint8Array;
}

const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);

export function decodeRacp(b: Uint8Array): Decoded<RacpMessage> {
  if (b.length < 2) return reject('short', b.length);
  const opcode = b[0] ?? 0;
  const operator = b[1] ?? 0;
  if (opcode === 0 || opcode > 6) return reject('opcode', 0);
  if (operator > 6) return reject('reserved', 1);
  const operand = b.subarray(2);
  const m: RacpMessage = { opcode, operator, operand };
  if (opcode === RacpOp.responseCode) {
    if (operator !== 0) return reject('reserved', 1);
    if (b.length < 4) return reject('short', b.length);
    if (b.length > 4) return reject('length', 4);
    m.requestOpcode = b[2] ?? 0;
    m.responseCode = b[3] ?? 0;
    if (m.responseCode === 0 || m.responseCode > 9) return reject('reserved', 3);
    m.operand = new Uint8Array(0);
  } else if (opcode === RacpOp.countResponse) {
    if (operator !== 0) return reject('reserved', 1);
    if (b.length < 4) return reject('short', b.length);
    if (b.length > 4) return reject('length', 4);
    m.count = u16(b, 2);
    m.operand = new Uint8Array(0);
  } else if (operator >= 2 && operator <= 4) {
    if (b.length < 3) return reject('short', b.length);
    m.filterType = b[2] ?? 0;
    if (m.filterType === 0x01) {
      const need = operator === 4 ? 7 : 5;
      if (b.length < need) return reject('short', b.length);
      if (b.length > need) return reject('length', need);
      if (operator === 2) m.filterMax = u16(b, 3);
      else if (operator === 3) m.filterMin = u16(b, 3);
      else { m.filterMin = u16(b, 3); m.filterMax = u16(b, 5); }
      m.operand = new Uint8Array(0);
    } else m.operand = b.subarray(3);
  }
  return ok(m);
}

export function encodeRacp(opcode: number, operator: number, operand: ArrayLike<number> = []): Uint8Array {
  return Uint8Array.from([opcode, operator, ...Array.from(operand)]);
}

export function racpResponse(requestOpcode: number, responseCode: number): Uint8Array {
  return Uint8Array.from([RacpOp.responseCode, 0, requestOpcode, responseCode]);
}

export function racpCount(count: number): Uint8Array {
  return Uint8Array.from([RacpOp.countResponse, 0, count & 0xff, (count >> 8) & 0xff]);
}

export function describeRacp(m: RacpMessage): string {
  if (m.opcode === RacpOp.responseCode) return `RACP response to ${OP_NAMES[m.requestOpcode ?? 0] ?? m.requestOpcode}: ${RESPONSE_NAMES[m.responseCode ?? 0] ?? m.responseCode}`;
  if (m.opcode === RacpOp.countResponse) return `RACP ${m.count} stored record(s)`;
  return `RACP ${OP_NAMES[m.opcode]} ${OPERATOR_NAMES[m.operator]}`;
}

export const racpCodec: Codec = {
  name: 'racp',
  description: 'Record Access Control Point (0x2A52): request, number of records or response code',
  decode(bytes) {
    const d = decodeRacp(bytes);
    if (!d.ok) return d;
    const m = d.value;
    const out: Record<string, unknown> = {
      opcode: m.opcode, opcode_name: OP_NAMES[m.opcode] ?? null,
      operator: m.operator, operator_name: OPERATOR_NAMES[m.operator] ?? null,
    };
    if (m.opcode === RacpOp.responseCode) {
      out.request_opcode = m.requestOpcode ?? null;
      out.response_code = m.responseCode ?? null;
      out.response = RESPONSE_NAMES[m.responseCode ?? 0] ?? null;
    } else if (m.opcode === RacpOp.countResponse) out.count = m.count ?? null;
    else if (m.filterType !== undefined) {
      out.filter_type = m.filterType;
      out.filter_min = m.filterMin ?? null;
      out.filter_max = m.filterMax ?? null;
    }
    if (m.operand.length > 0) out.operand = Buffer.from(m.operand).toString('hex');
    return ok(out);
  },
};
