import { ok, type Decoded } from '../shared/codec.js';
import { decodeRacp as decodeShared, encodeRacp, racpCount, racpResponse as sharedResponse, RacpOp, RacpOperator, RacpResponse } from '../shared/racp.js';

/**
 * RACP (0x2A52) as CGMS uses it, over the shared codec (drivers/shared/racp.ts): the filter type
 * for ≤, ≥ and range is 0x01 Time Offset (uint16 minutes). RACP never carries an E2E-CRC.
 */
export const RACP_OP = {
  REPORT: RacpOp.report, DELETE: RacpOp.delete, ABORT: RacpOp.abort, REPORT_COUNT: RacpOp.reportCount,
  COUNT_RESPONSE: RacpOp.countResponse, RESPONSE_CODE: RacpOp.responseCode,
} as const;
export const RACP_OPERATOR = {
  NULL: RacpOperator.null, ALL: RacpOperator.all, LE: RacpOperator.lessOrEqual, GE: RacpOperator.greaterOrEqual,
  RANGE: RacpOperator.range, FIRST: RacpOperator.first, LAST: RacpOperator.last,
} as const;
export const RACP_RESPONSE = {
  SUCCESS: RacpResponse.success, OPCODE_NOT_SUPPORTED: RacpResponse.opNotSupported, INVALID_OPERATOR: RacpResponse.invalidOperator,
  OPERATOR_NOT_SUPPORTED: RacpResponse.operatorNotSupported, INVALID_OPERAND: RacpResponse.invalidOperand,
  NO_RECORDS: RacpResponse.noRecords, ABORT_UNSUCCESSFUL: RacpResponse.abortUnsuccessful,
  NOT_COMPLETED: RacpResponse.notCompleted, OPERAND_NOT_SUPPORTED: RacpResponse.operandNotSupported,
} as const;
export const FILTER_TIME_OFFSET = 0x01;

export type RacpMessage =
  | { kind: 'response'; requestOpcode: number; responseCode: number }
  | { kind: 'count'; count: number }
  | { kind: 'request'; opcode: number; operator: number; filter: number | null; operands: number[]; extra: number };

export function decodeRacp(b: Uint8Array): Decoded<RacpMessage> {
  const d = decodeShared(b);
  if (!d.ok) return d;
  const m = d.value;
  if (m.opcode === RacpOp.responseCode) return ok({ kind: 'response', requestOpcode: m.requestOpcode ?? 0, responseCode: m.responseCode ?? 0 });
  if (m.opcode === RacpOp.countResponse) return ok({ kind: 'count', count: m.count ?? 0 });
  let operands: number[] = [];
  if (m.operator === RacpOperator.lessOrEqual) operands = [m.filterMax ?? 0];
  else if (m.operator === RacpOperator.greaterOrEqual) operands = [m.filterMin ?? 0];
  else if (m.operator === RacpOperator.range) operands = [m.filterMin ?? 0, m.filterMax ?? 0];
  return ok({ kind: 'request', opcode: m.opcode, operator: m.operator, filter: m.filterType ?? null, operands, extra: m.operand.length });
}

export const racpReportAll = (): Uint8Array => encodeRacp(RacpOp.report, RacpOperator.all);
export const racpReportFrom = (offset: number): Uint8Array =>
  encodeRacp(RacpOp.report, RacpOperator.greaterOrEqual, [FILTER_TIME_OFFSET, offset & 0xff, (offset >> 8) & 0xff]);
export const racpAbort = (): Uint8Array => encodeRacp(RacpOp.abort, RacpOperator.null);
export const racpCountAll = (): Uint8Array => encodeRacp(RacpOp.reportCount, RacpOperator.all);
export const racpResponse = sharedResponse;
export const racpCountResponse = racpCount;
