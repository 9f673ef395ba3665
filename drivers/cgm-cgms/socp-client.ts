import type { BleConnection } from '../../src/transport/ble/types.js';
import type { CrcVariant } from '../shared/crc.js';
import { readSfloat } from '../shared/sfloat.js';
import type { E2eOptions } from './e2e.js';
import type { Indications } from './indications.js';
import { ALERT_LEVELS, decodeSocp, encodeSocp, sfloatBytes, SOCP, SOCP_RESULT, type AlertLevel } from './socp.js';
import { CGMS } from './uuids.js';

/** The collector side of the CGM Specific Ops Control Point. Every call resolves or rejects. */
export class SocpClient {
  constructor(
    private readonly conn: BleConnection,
    private readonly ind: Indications,
    private readonly e2e: E2eOptions,
    private readonly timeoutMs = 10_000,
  ) {}

  private get crc(): CrcVariant | null {
    return this.e2e.required && this.e2e.variant !== 'none' ? this.e2e.variant : null;
  }

  private async request(opcode: number, operand: number[], responseOpcode: number): Promise<Uint8Array> {
    const reply = this.ind.wait((b) => {
      const d = decodeSocp(b, this.e2e);
      if (!d.ok) return false;
      if (d.value.opcode === SOCP.RESPONSE_CODE) return d.value.operand[0] === opcode;
      return d.value.opcode === responseOpcode;
    }, this.timeoutMs);
    reply.catch(() => undefined);
    await this.conn.write(CGMS.SERVICE, CGMS.SOCP, encodeSocp(opcode, operand, this.crc));
    const b = await reply;
    if (b[0] === SOCP.RESPONSE_CODE) {
      const code = b[2] ?? 0;
      if (code !== SOCP_RESULT.SUCCESS) throw new Error(`SOCP op ${opcode} refused (${code})`);
    }
    return b;
  }

  /** 1-255 minutes; 0 disables periodic notifications; 0xFF = fastest. */
  async setInterval(min: number): Promise<void> { await this.request(SOCP.SET_INTERVAL, [min & 0xff], SOCP.RESPONSE_CODE); }
  async getInterval(): Promise<number> { return (await this.request(SOCP.GET_INTERVAL, [], SOCP.INTERVAL_RESPONSE))[1] ?? 0; }
  async startSession(): Promise<void> { await this.request(SOCP.START_SESSION, [], SOCP.RESPONSE_CODE); }
  async stopSession(): Promise<void> { await this.request(SOCP.STOP_SESSION, [], SOCP.RESPONSE_CODE); }
  /** Alert levels are mg/dL (mg/dL/min for the rates), as the sensor takes them. */
  async setAlertLevel(level: AlertLevel, value: number): Promise<void> {
    await this.request(ALERT_LEVELS[level][0], sfloatBytes(value), SOCP.RESPONSE_CODE);
  }
  async getAlertLevel(level: AlertLevel): Promise<number | null> {
    const [, get, resp] = ALERT_LEVELS[level];
    const b = await this.request(get, [], resp);
    return readSfloat(b, 1).value;
  }
}
