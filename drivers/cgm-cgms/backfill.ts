import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/log.js';
import type { Indications } from './indications.js';
import { decodeRacp, racpAbort, racpReportAll, racpReportFrom, RACP_OP, RACP_RESPONSE } from './racp-cgm.js';
import type { RecordSink } from './records.js';

/**
 * Gap-free backfill over RACP. On every (re)connect the hub asks for the records after the last
 * one durably stored (`01 03 01 <cursor+1>`, or `01 01` for a new session) and submits them.
 *
 * The cursor ("every record up to this offset is stored") advances only after ctx.submit
 * resolved, and only over records that cannot have a hole behind them:
 * - during the procedure, records up to the sensor's current offset when we asked (`ceiling`,
 *   from CGM Status) — RACP sends those in order, while live notifications of newer records
 *   may interleave;
 * - when the sensor ends the procedure with success, everything seen (all older records were
 *   sent, all newer ones were notified live on the same link).
 * A rejected frame freezes the cursor and the procedure runs again. An interval is never
 * assumed. Ids are deterministic, so whatever is read twice is de-duplicated downstream.
 */
export interface BackfillIo {
  clock: Clock;
  log: Logger;
  racp: Indications;
  writeRacp(b: Uint8Array): Promise<void>;
  /** Called on every received measurement frame (keeps the inactivity timer alive). */
  onActivity(fn: () => void): void;
}

export interface BackfillOptions {
  /** No record or response for this long → abort the procedure. Default 10 s. */
  inactivityMs?: number;
  /** Retries of a procedure after a rejected frame. Default 2. */
  retries?: number;
}

export type BackfillResult = 'complete' | 'no-records' | 'incomplete';

const isResponseTo = (op: number) => (b: Uint8Array): boolean => {
  const d = decodeRacp(b);
  return d.ok && d.value.kind === 'response' && d.value.requestOpcode === op;
};

export async function backfill(io: BackfillIo, sink: RecordSink, ceiling: number | null, o: BackfillOptions = {}): Promise<BackfillResult> {
  const retries = o.retries ?? 2;
  let result: BackfillResult = 'incomplete';
  for (let attempt = 0; attempt <= retries; attempt++) {
    result = await procedure(io, sink, ceiling, o.inactivityMs ?? 10_000, false);
    if (result !== 'incomplete') return result;
    io.log.warn({ attempt }, 'backfill had rejected frames; asking again');
  }
  return result;
}

async function procedure(io: BackfillIo, sink: RecordSink, ceiling: number | null, inactivityMs: number, all: boolean): Promise<BackfillResult> {
  const cursor = sink.cursor();
  const from = cursor === null || all ? null : cursor + 1;
  if (from !== null && from > 0xffff) return 'complete';
  sink.beginProcedure(ceiling ?? -1);
  const done = io.racp.wait(isResponseTo(RACP_OP.REPORT), 24 * 3600_000);
  let timer: TimerHandle | undefined;
  const inactivity = new Promise<'timeout'>((resolve) => {
    const arm = (): void => {
      if (timer) io.clock.clearTimeout(timer);
      timer = io.clock.setTimeout(() => resolve('timeout'), inactivityMs);
    };
    arm();
    io.onActivity(arm);
  });
  try {
    await io.writeRacp(from === null ? racpReportAll() : racpReportFrom(from));
    const r = await Promise.race([done, inactivity]);
    if (r === 'timeout') {
      io.log.warn('RACP procedure stalled; aborting');
      await abort(io);
      throw new Error('RACP procedure timed out');
    }
    const code = r[3] ?? 0;
    if (code === RACP_RESPONSE.NO_RECORDS) { await sink.idle(); sink.live(); return 'no-records'; }
    if (code === RACP_RESPONSE.SUCCESS) {
      const tainted = sink.isFrozen();
      await sink.completeProcedure();
      if (tainted) return 'incomplete';
      sink.live();
      return 'complete';
    }
    if (!all && (code === RACP_RESPONSE.OPERATOR_NOT_SUPPORTED || code === RACP_RESPONSE.INVALID_OPERATOR || code === RACP_RESPONSE.OPERAND_NOT_SUPPORTED)) {
      io.log.info({ code }, 'sensor cannot filter by time offset; reading all records');
      return procedure(io, sink, ceiling, inactivityMs, true);
    }
    if (code === RACP_RESPONSE.NOT_COMPLETED || code === RACP_RESPONSE.ABORT_UNSUCCESSFUL) {
      throw new Error(`RACP procedure not completed (${code})`);
    }
    throw new Error(`RACP report refused (${code})`);
  } finally {
    if (timer) io.clock.clearTimeout(timer);
    io.onActivity(() => undefined);
    done.catch(() => undefined);
  }
}

/** Ask the sensor to stop a running procedure; best effort. */
export async function abort(io: BackfillIo): Promise<void> {
  try {
    const reply = io.racp.wait(isResponseTo(RACP_OP.ABORT), 5_000);
    await io.writeRacp(racpAbort());
    await reply;
  } catch (e) {
    io.log.debug({ err: e instanceof Error ? e.message : String(e) }, 'RACP abort not confirmed');
  }
}
