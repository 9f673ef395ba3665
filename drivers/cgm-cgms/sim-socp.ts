import type { CrcVariant } from '../shared/crc.js';
import { readSfloat } from '../shared/sfloat.js';
import type { SensorModel } from './sensor-model.js';
import { decodeSocp, encodeSocp, sfloatBytes, SOCP, SOCP_RESULT } from './socp.js';

export interface SocpSimContext {
  model: SensorModel;
  crc: CrcVariant | null;
  reply(b: Uint8Array): void;
  newSession(): void;
}

/**
 * The sensor side of the CGM Specific Ops Control Point. A write with a bad E2E-CRC is refused
 * with ATT error 0x81 (Invalid CRC); anything else is answered by an indication.
 */
export function handleSocp(data: Uint8Array, s: SocpSimContext): number | void {
  const d = decodeSocp(data, { variant: s.crc ?? 'none', required: s.crc !== null });
  const respond = (req: number, code: number): void => s.reply(encodeSocp(SOCP.RESPONSE_CODE, [req, code], s.crc));
  if (!d.ok) {
    if (d.reason === 'crc') return 0x81;
    respond(data[0] ?? 0, d.reason === 'opcode' ? SOCP_RESULT.OPCODE_NOT_SUPPORTED : SOCP_RESULT.INVALID_OPERAND);
    return;
  }
  const { opcode, operand } = d.value;
  const m = s.model;
  switch (opcode) {
    case SOCP.SET_INTERVAL: {
      const v = operand[0] ?? 0;
      if (v === 0) m.notifyEnabled = false;
      else { m.notifyEnabled = true; m.setIntervalMin(v === 0xff ? 1 : Math.min(v, 15)); }
      respond(opcode, SOCP_RESULT.SUCCESS);
      return;
    }
    case SOCP.GET_INTERVAL:
      s.reply(encodeSocp(SOCP.INTERVAL_RESPONSE, [m.notifyEnabled ? m.intervalMin : 0], s.crc));
      return;
    case SOCP.START_SESSION:
      if (m.running) { respond(opcode, SOCP_RESULT.NOT_COMPLETED); return; }
      s.newSession();
      respond(opcode, SOCP_RESULT.SUCCESS);
      return;
    case SOCP.STOP_SESSION:
      m.stopSession();
      respond(opcode, SOCP_RESULT.SUCCESS);
      return;
    case SOCP.RESET_DEVICE_ALERT:
      respond(opcode, SOCP_RESULT.SUCCESS);
      return;
    default:
      break;
  }
  if (opcode >= SOCP.SET_PATIENT_HIGH && opcode <= SOCP.RATE_INCREASE_RESPONSE) {
    const step = (opcode - SOCP.SET_PATIENT_HIGH) % 3;
    const setOp = opcode - step;
    if (step === 0) {
      const v = readSfloat(operand, 0).value;
      if (v === null || v < 0 || v > 1000) { respond(opcode, SOCP_RESULT.OUT_OF_RANGE); return; }
      m.alertLevels.set(setOp, v);
      if (setOp === SOCP.SET_HYPO) m.hypoLevel = v;
      if (setOp === SOCP.SET_HYPER) m.hyperLevel = v;
      respond(opcode, SOCP_RESULT.SUCCESS);
      return;
    }
    if (step === 1) {
      const v = m.alertLevels.get(setOp);
      if (v === undefined) { respond(opcode, SOCP_RESULT.NOT_COMPLETED); return; }
      s.reply(encodeSocp(setOp + 2, sfloatBytes(v), s.crc));
      return;
    }
  }
  respond(opcode, SOCP_RESULT.OPCODE_NOT_SUPPORTED);
}
