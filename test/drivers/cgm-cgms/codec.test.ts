import { describe, expect, it } from 'vitest';
import { codecs } from '../../../drivers/cgm-cgms/codecs.js';
import { encodeRecord } from '../../../drivers/cgm-cgms/codec-measurement.js';
import { encodeSessionStartTime, sessionStartUtcMs, decodeSessionStartTime } from '../../../drivers/cgm-cgms/codec-session.js';
import type { CodecOptions } from '../../../drivers/shared/codec.js';
import { withCrc } from '../../../drivers/shared/crc.js';

const codec = (name: string) => {
  const c = codecs.find((x) => x.name === name);
  if (!c) throw new Error(`no codec ${name}`);
  return c;
};
const dec = (name: string, bytes: number[], opts: CodecOptions = {}) => codec(name).decode(Uint8Array.from(bytes), opts);
const rec0 = (name: string, bytes: number[], opts: CodecOptions = {}) => {
  const d = dec(name, bytes, opts);
  if (!d.ok) throw new Error(`rejected: ${d.reason} at ${d.at}`);
  return (d.value.records as Record<string, unknown>[])[0] ?? {};
};

// The Nordic full record with its CRC (spec file §1.5).
const FULL = [
  0x0f, //       Size 15 = 13 + CRC
  0xe3, //       Flags: trend, quality, Warning, Cal/Temp, Status octets present
  0xd2, 0xe4, // glucose SFLOAT 0xE4D2: exp -2, mantissa 1234 → 12.34 mg/dL
  0x05, 0x00, // time offset 5 min
  0x02, //       1st octet (spec order: Status): bit 1 battery low
  0x14, //       2nd octet Cal/Temp: bits 10 (calibration recommended) and 12 (temperature too high)
  0xff, //       3rd octet (spec order: Warning): all warnings
  0x02, 0xf0, // trend SFLOAT 0xF002 → 0.2 mg/dL/min
  0xe5, 0xf3, // quality SFLOAT 0xF3E5 → 99.7 %
  0x8e, 0x3f, // E2E-CRC 0x3F8E (MCRF4XX), LSO first
];

describe('cgm-measurement', () => {
  it('the codec names are the contract names', () => {
    expect(codecs.map((c) => c.name).sort()).toEqual(
      ['cgm-feature', 'cgm-measurement', 'cgm-session-run-time', 'cgm-session-start-time', 'cgm-socp', 'cgm-status'],
    );
  });

  it('decodes the spec full record in specification octet order', () => {
    const r = rec0('cgm-measurement', FULL);
    expect(r).toMatchObject({
      glucose_mg_dl: 12.34, time_offset_min: 5, trend_mg_dl_min: 0.2, quality_pct: 99.7,
      status_octet: 0x02, cal_temp_octet: 0x14, warning_octet: 0xff, crc: 'valid',
    });
    expect(r.annunciations).toContain('battery_low');
    expect(r.annunciations).toContain('temperature_too_high');
    expect(r.annunciations).toContain('above_device_range');
  });

  it('quirk warning-first reads the octets reversed', () => {
    const r = rec0('cgm-measurement', FULL, { quirks: ['warning-first'] });
    expect(r).toMatchObject({ status_octet: 0xff, cal_temp_octet: 0x14, warning_octet: 0x02 });
    expect(r.annunciations).toContain('session_stopped');
  });

  it('with only Status and Warning present the order matters', () => {
    const bytes = [
      0x08, //       Size 8, no CRC
      0xa0, //       Flags: Status (0x80) + Warning (0x20)
      0x78, 0x00, // glucose 120 mg/dL (exp 0)
      0x0a, 0x00, // offset 10
      0x01, //       spec: Status = session stopped
      0x04, //       spec: Warning bit 18 (below hypo)
    ];
    expect(rec0('cgm-measurement', bytes)).toMatchObject({ status_octet: 0x01, warning_octet: 0x04, cal_temp_octet: null, crc: 'absent' });
    expect(rec0('cgm-measurement', bytes, { quirks: ['warning-first'] })).toMatchObject({ status_octet: 0x04, warning_octet: 0x01 });
  });

  it('rejects a bad CRC (flipped last byte) at the CRC offset', () => {
    const bad = [...FULL.slice(0, 14), 0x3e];
    expect(dec('cgm-measurement', bad)).toEqual({ ok: false, reason: 'crc', at: 13 });
  });

  it('ccitt-false selected: the MCRF4XX record fails; a CCITT-FALSE one passes', () => {
    expect(dec('cgm-measurement', FULL, { crc: 'ccitt-false' })).toEqual({ ok: false, reason: 'crc', at: 13 });
    const cf = encodeRecord({ glucoseMgDl: 100, timeOffsetMin: 7 }, 'ccitt-false');
    expect(rec0('cgm-measurement', [...cf], { crc: 'ccitt-false' })).toMatchObject({ glucose_mg_dl: 100, crc: 'valid' });
    expect(dec('cgm-measurement', [...cf]).ok).toBe(false); // default verifies MCRF4XX
  });

  it('--crc none accepts the trailer unchecked', () => {
    const bad = [...FULL.slice(0, 14), 0x00];
    expect(rec0('cgm-measurement', bad, { crc: 'none' })).toMatchObject({ crc: 'unchecked', glucose_mg_dl: 12.34 });
  });

  it('two records in one notification', () => {
    const a = [0x06, 0x00, 0x6e, 0x00, 0x00, 0x00]; // 110 mg/dL at offset 0
    const b = [0x08, 0x01, 0x70, 0x00, 0x05, 0x00, 0xfe, 0x0f]; // 112 at 5, trend SFLOAT 0x0FFE = -2
    const d = dec('cgm-measurement', [...a, ...b]);
    expect(d.ok && (d.value.records as unknown[]).length).toBe(2);
    expect(d.ok && (d.value.records as Record<string, unknown>[])[1]).toMatchObject({ glucose_mg_dl: 112, time_offset_min: 5, trend_mg_dl_min: -2 });
  });

  it('special SFLOAT glucose is null with its name', () => {
    expect(rec0('cgm-measurement', [0x06, 0x00, 0xfe, 0x07, 0x01, 0x00])).toMatchObject({ glucose_mg_dl: null, glucose_special: '+inf' });
  });

  it('negatives: empty, short, wrong size, reserved flags, truncated second record', () => {
    expect(dec('cgm-measurement', [])).toEqual({ ok: false, reason: 'short', at: 0 });
    expect(dec('cgm-measurement', [0x05, 0x00, 0x6e, 0x00, 0x00])).toEqual({ ok: false, reason: 'length', at: 0 }); // Size < 6
    expect(dec('cgm-measurement', [0x07, 0x00, 0x6e, 0x00, 0x00, 0x00, 0x00])).toEqual({ ok: false, reason: 'length', at: 0 }); // 7 ≠ 6, 8
    expect(dec('cgm-measurement', [0x06, 0x04, 0x6e, 0x00, 0x00, 0x00])).toEqual({ ok: false, reason: 'reserved', at: 1 }); // RFU bit 2
    expect(dec('cgm-measurement', [0x08, 0x01, 0x6e, 0x00, 0x00, 0x00, 0x01])).toEqual({ ok: false, reason: 'short', at: 7 });
    expect(dec('cgm-measurement', [0x06, 0x00, 0x6e, 0x00, 0x00, 0x00, 0x06])).toEqual({ ok: false, reason: 'short', at: 7 });
    expect(dec('cgm-measurement', [0x06])).toEqual({ ok: false, reason: 'short', at: 1 });
  });

  it('encode → decode round trip (both octet orders, with and without CRC)', () => {
    for (const crc of [null, 'mcrf4xx'] as const) {
      for (const wf of [false, true]) {
        const b = encodeRecord({ glucoseMgDl: 87, timeOffsetMin: 1234, trendMgDlMin: -1.5, qualityPct: 90, annunciation: 0x040802 }, crc, wf);
        const r = rec0('cgm-measurement', [...b], wf ? { quirks: ['warning-first'] } : {});
        expect(r).toMatchObject({ glucose_mg_dl: 87, time_offset_min: 1234, trend_mg_dl_min: -1.5, quality_pct: 90, status_octet: 0x02, cal_temp_octet: 0x08, warning_octet: 0x04 });
      }
    }
  });
});

describe('cgm-feature / cgm-status / cgm-session-run-time', () => {
  it('feature without E2E-CRC: CRC field 0xFFFF not checked', () => {
    // 5E 8B 01: features 0x018B5E (bit 12 clear) | 0x59: type 9 ISF (low nibble), location 5 subcutaneous | FF FF
    expect(dec('cgm-feature', [0x5e, 0x8b, 0x01, 0x59, 0xff, 0xff])).toEqual({
      ok: true, value: { features: 0x018b5e, type: 9, sample_location: 5, crc_supported: false, crc: 'absent' },
    });
  });

  it('feature with E2E-CRC: verified; bad → crc; short/long', () => {
    const body = [0x5e, 0x9b, 0x01, 0x59]; // bit 12 set
    const good = [...encodeRecordless(body)];
    expect(dec('cgm-feature', good)).toMatchObject({ ok: true, value: { crc_supported: true, crc: 'valid' } });
    expect(dec('cgm-feature', [...body, 0xff, 0xff])).toEqual({ ok: false, reason: 'crc', at: 4 });
    expect(dec('cgm-feature', [...body, 0xff, 0xff], { crc: 'none' })).toMatchObject({ ok: true });
    expect(dec('cgm-feature', [0x5e, 0x8b, 0x01])).toEqual({ ok: false, reason: 'short', at: 3 });
    expect(dec('cgm-feature', [0x5e, 0x8b, 0x01, 0x59, 0xff, 0xff, 0x00])).toEqual({ ok: false, reason: 'length', at: 6 });
  });

  it('status: 5 bytes, 7 with CRC, others rejected', () => {
    // 3C 00: offset 60 min | 01 00 00: session stopped
    expect(dec('cgm-status', [0x3c, 0x00, 0x01, 0x00, 0x00])).toMatchObject({ ok: true, value: { time_offset_min: 60, status: 1 } });
    expect(dec('cgm-status', [...encodeRecordless([0x3c, 0x00, 0x00, 0x08, 0x00])])).toMatchObject({ ok: true, value: { status: 0x0800, crc: 'valid' } });
    expect(dec('cgm-status', [0x3c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00])).toEqual({ ok: false, reason: 'crc', at: 5 });
    expect(dec('cgm-status', [0x3c, 0x00, 0x01, 0x00, 0x00, 0x00])).toEqual({ ok: false, reason: 'length', at: 5 });
    expect(dec('cgm-status', [0x3c, 0x00, 0x01])).toEqual({ ok: false, reason: 'short', at: 3 });
  });

  it('session run time is hours', () => {
    expect(dec('cgm-session-run-time', [0x50, 0x01])).toEqual({ ok: true, value: { hours: 336, crc: 'absent' } }); // 14 days
    expect(dec('cgm-session-run-time', [0x50])).toEqual({ ok: false, reason: 'short', at: 1 });
  });
});

describe('cgm-session-start-time', () => {
  const st = [
    0xea, 0x07, // year 2026
    0x0b, //       November
    0x17, //       23rd
    0x0a, 0x00, 0x00, // 10:00:00 local
    0x04, //       time zone +4 × 15 min = +60 min
    0x04, //       DST +1 h
  ];
  it('decodes zone in 15-minute units and DST', () => {
    expect(dec('cgm-session-start-time', st)).toEqual({ ok: true, value: { date_time: '2026-11-23T10:00:00', time_zone_min: 60, dst_offset_min: 60, crc: 'absent' } });
    const d = decodeSessionStartTime(Uint8Array.from(st), { variant: 'mcrf4xx', required: false });
    expect(d.ok && sessionStartUtcMs(d.value)).toEqual({ ms: Date.UTC(2026, 10, 23, 8, 0, 0), exact: true });
  });
  it('unknown date, zone and DST', () => {
    expect(dec('cgm-session-start-time', [0, 0, 0, 0, 0, 0, 0, 0x80, 0xff])).toEqual({ ok: true, value: { date_time: null, time_zone_min: null, dst_offset_min: null, crc: 'absent' } });
  });
  it('negative zone', () => {
    const b = [...st.slice(0, 7), 0xec, 0x00]; // -20 × 15 = -300 min (UTC-5)
    expect(dec('cgm-session-start-time', b)).toMatchObject({ ok: true, value: { time_zone_min: -300, dst_offset_min: 0 } });
  });
  it('rejects out-of-range fields, reserved DST, wrong sizes, bad CRC', () => {
    expect(dec('cgm-session-start-time', [0xea, 0x07, 0x0d, 0x17, 0x0a, 0, 0, 4, 0])).toEqual({ ok: false, reason: 'range', at: 2 });
    expect(dec('cgm-session-start-time', [0xea, 0x07, 0x0b, 0x17, 0x18, 0, 0, 4, 0])).toEqual({ ok: false, reason: 'range', at: 4 });
    expect(dec('cgm-session-start-time', [0xea, 0x07, 0x0b, 0x17, 0x0a, 0, 0, 0x7f, 0])).toEqual({ ok: false, reason: 'range', at: 7 });
    expect(dec('cgm-session-start-time', [...st.slice(0, 8), 0x03])).toEqual({ ok: false, reason: 'reserved', at: 8 });
    expect(dec('cgm-session-start-time', st.slice(0, 8))).toEqual({ ok: false, reason: 'short', at: 8 });
    expect(dec('cgm-session-start-time', [...st, 0x00, 0x00])).toEqual({ ok: false, reason: 'crc', at: 9 });
  });
  it('encode → decode round trip with CRC', () => {
    const b = encodeSessionStartTime(Date.UTC(2026, 0, 2, 3, 4, 5), 0, 0, 'mcrf4xx');
    expect(dec('cgm-session-start-time', [...b])).toEqual({ ok: true, value: { date_time: '2026-01-02T03:04:05', time_zone_min: 0, dst_offset_min: 0, crc: 'valid' } });
  });
});

describe('cgm-socp', () => {
  it('response code, interval, alert level', () => {
    // 1C | 1A (request: start session) | 01 success
    expect(dec('cgm-socp', [0x1c, 0x1a, 0x01])).toEqual({ ok: true, value: { opcode: 28, request_opcode: 26, response_code: 1, crc: 'absent' } });
    // 03 | 05: communication interval response, 5 min
    expect(dec('cgm-socp', [0x03, 0x05])).toEqual({ ok: true, value: { opcode: 3, value: 5, crc: 'absent' } });
    // 0F | 46 00: hypo alert level response, SFLOAT 70 mg/dL
    expect(dec('cgm-socp', [0x0f, 0x46, 0x00])).toEqual({ ok: true, value: { opcode: 15, value: 70, crc: 'absent' } });
    // 1A: start session, no operand
    expect(dec('cgm-socp', [0x1a])).toEqual({ ok: true, value: { opcode: 26, crc: 'absent' } });
  });
  it('with CRC, and negatives', () => {
    expect(dec('cgm-socp', [...encodeRecordless([0x1c, 0x01, 0x01])])).toMatchObject({ ok: true, value: { request_opcode: 1, crc: 'valid' } });
    expect(dec('cgm-socp', [0x1c, 0x01, 0x01, 0x00, 0x00])).toEqual({ ok: false, reason: 'crc', at: 3 });
    expect(dec('cgm-socp', [0x30])).toEqual({ ok: false, reason: 'opcode', at: 0 });
    expect(dec('cgm-socp', [0x00])).toEqual({ ok: false, reason: 'opcode', at: 0 });
    expect(dec('cgm-socp', [0x1c, 0x01])).toEqual({ ok: false, reason: 'short', at: 2 });
    expect(dec('cgm-socp', [0x1a, 0x00])).toEqual({ ok: false, reason: 'length', at: 1 });
    expect(dec('cgm-socp', [0x1c, 0x40, 0x01])).toEqual({ ok: false, reason: 'opcode', at: 1 });
    expect(dec('cgm-socp', [])).toEqual({ ok: false, reason: 'short', at: 0 });
  });
});

function encodeRecordless(body: number[]): Uint8Array {
  return withCrc('mcrf4xx', Uint8Array.from(body));
}
