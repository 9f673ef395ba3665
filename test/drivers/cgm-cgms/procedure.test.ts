import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { backfill, type BackfillIo } from '../../../drivers/cgm-cgms/backfill.js';
import { decodeMeasurement, encodeRecord } from '../../../drivers/cgm-cgms/codec-measurement.js';
import { Indications } from '../../../drivers/cgm-cgms/indications.js';
import { RecordSink } from '../../../drivers/cgm-cgms/records.js';
import { saveSession, loadSession, type CgmSessionState } from '../../../drivers/cgm-cgms/session-state.js';
import { advance, fakeDriverContext, flush } from '../../helpers/fake-driver-context.js';

const SESSION: CgmSessionState = { v: 1, id: '20261123T100000Z', startMs: Date.UTC(2026, 10, 23, 10), deviceTime: false, cursor: 9 };

/** A scripted sensor behind a BackfillIo: `onWrite` answers each RACP write. */
function setup(onWrite: (b: number[], t: { records(offsets: number[]): void; racp(b: number[]): void }) => void) {
  const clock = new FakeClock();
  const ctx = fakeDriverContext({ clock, device: { id: 'cgm-1', kind: 'cgm' } });
  saveSession(ctx.state, SESSION);
  const sink = new RecordSink(ctx);
  sink.setSession(SESSION);
  const racp = new Indications(clock, 'RACP');
  const writes: number[][] = [];
  let activity: () => void = () => undefined;
  const t = {
    records(offsets: number[]) {
      activity();
      const b = Uint8Array.from(offsets.flatMap((o) => [...encodeRecord({ glucoseMgDl: 100 + o, timeOffsetMin: o }, null)]));
      const d = decodeMeasurement(b, { e2e: { variant: 'mcrf4xx', required: false }, warningFirst: false });
      if (d.ok) sink.push(d.value, true);
    },
    racp(b: number[]) { activity(); racp.deliver(Uint8Array.from(b)); },
  };
  const io: BackfillIo = {
    clock, log: silentLogger(), racp,
    async writeRacp(b) { writes.push([...b]); queueMicrotask(() => onWrite([...b], t)); },
    onActivity(fn) { activity = fn; },
  };
  const cursor = () => loadSession(ctx.state)?.cursor ?? null;
  return { clock, ctx, sink, io, writes, t, racp, cursor };
}

describe('RACP procedure', () => {
  it('asks for records after the cursor: 01 03 01 <cursor+1 LE>; advances after success', async () => {
    const s = setup((b, t) => {
      if (b[0] === 0x01) { t.records([10, 11, 12]); t.racp([0x06, 0x00, 0x01, 0x01]); }
    });
    await expect(backfill(s.io, s.sink, 12)).resolves.toBe('complete');
    expect(s.writes[0]).toEqual([0x01, 0x03, 0x01, 0x0a, 0x00]); // report, ≥, filter time offset, 10
    expect(s.cursor()).toBe(12);
    expect(s.ctx.metric('glucose').map((m) => m.key)).toEqual([10, 11, 12].map((o) => `session:${SESSION.id}|off:${o}`));
    expect(s.ctx.metric('glucose').every((m) => m.flags?.includes('stored'))).toBe(true);
  });

  it('a new session asks for all records: 01 01', async () => {
    const s = setup((b, t) => t.racp([0x06, 0x00, 0x01, 0x06]));
    saveSession(s.ctx.state, { ...SESSION, cursor: null });
    await expect(backfill(s.io, s.sink, 0)).resolves.toBe('no-records');
    expect(s.writes[0]).toEqual([0x01, 0x01]);
  });

  it('"no records found" (06 00 01 06) leaves the cursor alone', async () => {
    const s = setup((b, t) => t.racp([0x06, 0x00, 0x01, 0x06]));
    await expect(backfill(s.io, s.sink, 9)).resolves.toBe('no-records');
    expect(s.cursor()).toBe(9);
    expect(s.ctx.submitted).toEqual([]);
  });

  it('a stalled procedure is aborted (03 00) after the inactivity timeout and fails', async () => {
    const s = setup((b, t) => {
      if (b[0] === 0x01) t.records([10, 11]); // then silence
      if (b[0] === 0x03) t.racp([0x06, 0x00, 0x03, 0x01]);
    });
    const p = backfill(s.io, s.sink, 20, { inactivityMs: 10_000 });
    p.catch(() => undefined);
    await flush();
    await advance(s.clock, 11_000, 500);
    await expect(p).rejects.toThrow(/timed out/);
    expect(s.writes.map((w) => w[0])).toEqual([0x01, 0x03]);
    await s.sink.idle();
    expect(s.cursor()).toBe(11); // both ≤ ceiling and stored
  });

  it('a disconnect during the procedure fails it; only records up to the ceiling advance', async () => {
    const s = setup((b, t) => {
      if (b[0] === 0x01) {
        t.records([10, 11]);
        t.records([30]); // a live record newer than the ceiling (20), interleaved
        s.racp.failAll(new Error('link dropped'));
      }
    });
    await expect(backfill(s.io, s.sink, 20)).rejects.toThrow(/link dropped/);
    await s.sink.idle();
    expect(s.cursor()).toBe(11); // not 30: 12..29 may still be missing
  });

  it('a sensor without ≥ filtering: falls back to all records', async () => {
    const s = setup((b, t) => {
      if (b[1] === 0x03) t.racp([0x06, 0x00, 0x01, 0x04]); // operator not supported
      else { t.records([5, 10, 15]); t.racp([0x06, 0x00, 0x01, 0x01]); }
    });
    await expect(backfill(s.io, s.sink, null)).resolves.toBe('complete');
    expect(s.writes).toEqual([[0x01, 0x03, 0x01, 0x0a, 0x00], [0x01, 0x01]]);
    expect(s.cursor()).toBe(15);
  });

  it('a rejected frame during the procedure freezes the cursor and the procedure runs again', async () => {
    let n = 0;
    const s = setup((b, t) => {
      n++;
      if (n === 1) { t.records([10]); s.sink.freeze(); t.records([12]); t.racp([0x06, 0x00, 0x01, 0x01]); }
      else { t.records([11, 12]); t.racp([0x06, 0x00, 0x01, 0x01]); }
    });
    await expect(backfill(s.io, s.sink, null)).resolves.toBe('complete');
    expect(s.writes.length).toBe(2);
    expect(s.writes[1]).toEqual([0x01, 0x03, 0x01, 0x0a, 0x00]); // asked again from 10
    expect(s.cursor()).toBe(12);
  });

  it('procedure not completed / refused → error (the supervisor reconnects and asks again)', async () => {
    const s = setup((b, t) => t.racp([0x06, 0x00, 0x01, 0x08]));
    await expect(backfill(s.io, s.sink, 20)).rejects.toThrow(/not completed/);
    expect(s.cursor()).toBe(9);
  });

  it('the cursor moves only after submit resolved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const s = setup((b, t) => { t.records([10]); t.racp([0x06, 0x00, 0x01, 0x01]); });
    const slow = fakeDriverContext({ device: { id: 'cgm-1', kind: 'cgm' }, onSubmit: () => gate });
    saveSession(slow.state, SESSION);
    const sink = new RecordSink(slow);
    sink.setSession(SESSION);
    s.io.writeRacp = async (b) => { queueMicrotask(() => {
      const d = decodeMeasurement(encodeRecord({ glucoseMgDl: 100, timeOffsetMin: 10 }, null), { e2e: { variant: 'none', required: false }, warningFirst: false });
      if (d.ok) sink.push(d.value, true);
      s.racp.deliver(Uint8Array.from([0x06, 0x00, b[0] ?? 0, 0x01]));
    }); };
    const p = backfill(s.io, sink, 20);
    await flush(10);
    expect(loadSession(slow.state)?.cursor).toBe(9);
    release();
    await expect(p).resolves.toBe('complete');
    expect(loadSession(slow.state)?.cursor).toBe(10);
  });
});
