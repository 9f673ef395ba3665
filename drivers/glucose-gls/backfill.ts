import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/log.js';
import { Indications } from '../cgm-cgms/indications.js';
import { decodeRacp, encodeRacp, RacpOp, RacpOperator, RacpResponse } from '../shared/racp.js';
import type { DeviceState } from '../types.js';

/**
 * Gap-free RACP backfill of a blood glucose meter by sequence number (GLS filter type 0x01).
 * On every connect the hub asks for the records after the last one durably stored
 * (`01 03 01 <cursor+1>`; `01 01` the first time or when the meter cannot filter), submits each
 * record as it arrives and, when the meter ends the procedure with success, waits until every
 * submit resolved (durably stored) before it moves the cursor to the highest sequence number
 * seen. A rejected frame or a failed submit leaves the cursor where it was: the records are read
 * again next time and their deterministic ids make the repeat harmless. A live record (a test
 * taken while connected) moves the cursor only when it is the next number.
 */
export const FILTER_SEQUENCE = 0x01;
const CURSOR_KEY = 'gls.cursor';

export interface GlsBackfillIo {
  clock: Clock;
  log: Logger;
  state: DeviceState;
  writeRacp(b: Uint8Array): Promise<void>;
  /** No record or response for this long → the procedure failed (default 10 s). */
  inactivityMs?: number;
}

export type ProcedureResult = 'complete' | 'no-records';

export class GlsBackfill {
  readonly racp: Indications;
  private pending: Promise<void>[] = [];
  private maxSeq = -1;
  private tainted = false;
  private active = false;
  private arm: () => void = () => undefined;

  constructor(private readonly io: GlsBackfillIo) {
    this.racp = new Indications(io.clock, 'RACP');
  }

  cursor(): number | null {
    const v = this.io.state.get(CURSOR_KEY);
    const n = v === undefined ? NaN : Number(v);
    return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : null;
  }

  /** A measurement arrived and was handed to the pipeline (`stored` resolves once durable). */
  record(seq: number, stored: Promise<void>): void {
    this.arm();
    if (this.active) {
      this.pending.push(stored);
      this.maxSeq = Math.max(this.maxSeq, seq);
      return;
    }
    stored.then(() => { if (seq === (this.cursor() ?? -1) + 1) this.save(seq); }, () => undefined);
  }

  /** A frame could not be decoded: the procedure must not move the cursor. */
  taint(): void { this.tainted = true; this.arm(); }

  async run(): Promise<ProcedureResult> {
    const c = this.cursor();
    const first = await this.procedure(c === null || c >= 0xffff ? null : c + 1);
    if (first !== 'unfiltered') return first;
    this.io.log.info('meter cannot filter by sequence number; reading all records');
    const all = await this.procedure(null);
    if (all === 'unfiltered') throw new Error('RACP report all records refused');
    return all;
  }

  private async procedure(from: number | null): Promise<ProcedureResult | 'unfiltered'> {
    this.pending = [];
    this.maxSeq = -1;
    this.tainted = false;
    this.active = true;
    const done = this.racp.wait((b) => { const d = decodeRacp(b); return d.ok && d.value.opcode === RacpOp.responseCode && d.value.requestOpcode === RacpOp.report; }, 24 * 3600_000);
    let timer: TimerHandle | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      this.arm = () => {
        if (timer) this.io.clock.clearTimeout(timer);
        timer = this.io.clock.setTimeout(() => resolve('stalled'), this.io.inactivityMs ?? 10_000);
      };
      this.arm();
    });
    try {
      await this.io.writeRacp(from === null
        ? encodeRacp(RacpOp.report, RacpOperator.all)
        : encodeRacp(RacpOp.report, RacpOperator.greaterOrEqual, [FILTER_SEQUENCE, from & 0xff, from >> 8]));
      const r = await Promise.race([done, stalled]);
      if (r === 'stalled') throw new Error('RACP procedure stalled');
      const code = r[3] ?? 0;
      if (code === RacpResponse.noRecords) return 'no-records';
      if (from !== null && (code === RacpResponse.operatorNotSupported || code === RacpResponse.invalidOperator || code === RacpResponse.operandNotSupported)) return 'unfiltered';
      if (code !== RacpResponse.success) throw new Error(`RACP report refused (${code})`);
      await Promise.all(this.pending); // durably stored, or this throws and the cursor stays
      if (this.tainted) throw new Error('RACP procedure had rejected frames; the records are read again on the next connect');
      if (this.maxSeq >= 0 && this.maxSeq > (this.cursor() ?? -1)) this.save(this.maxSeq);
      return 'complete';
    } finally {
      this.active = false;
      if (timer) this.io.clock.clearTimeout(timer);
      this.arm = () => undefined;
      done.catch(() => undefined);
    }
  }

  private save(seq: number): void {
    this.io.state.set(CURSOR_KEY, String(seq));
  }
}
