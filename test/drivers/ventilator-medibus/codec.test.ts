import { describe, expect, it } from 'vitest';
import { buildCommand, buildResponse } from '../../../drivers/ventilator-medibus/commands.js';
import { decodeFrame } from '../../../drivers/ventilator-medibus/codec.js';
import { codecs, decodeMedibus } from '../../../drivers/ventilator-medibus/codecs.js';
import {
  parseAlarms, parseDataRecords, parseDateTime, parseDeviceIdent, parseRealtimeConfig, parseTextMessages,
} from '../../../drivers/ventilator-medibus/records.js';

const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('MEDIBUS frames: the specification worked examples', () => {
  it('ICC command 1B 51 36 43 0D', () => {
    const bytes = [
      0x1b, // ESC: command
      0x51, // 'Q' ICC, initialise communication
      0x36, // '6' checksum high digit: 1B + 51 = 6C
      0x43, // 'C' checksum low digit
      0x0d, // CR
    ];
    expect([...buildCommand(0x51)]).toEqual(bytes);
    const d = decodeFrame(Uint8Array.from(bytes));
    expect(d).toMatchObject({ ok: true, value: { direction: 'command', code: 0x51 } });
  });

  it('ICC response 01 51 35 32 0D', () => {
    const bytes = [
      0x01, // SOH: response
      0x51, // echo of 'Q'
      0x35, // '5' checksum: 01 + 51 = 52
      0x32, // '2'
      0x0d, // CR
    ];
    expect([...buildResponse(0x51)]).toEqual(bytes);
    expect(decodeFrame(Uint8Array.from(bytes))).toMatchObject({ ok: true, value: { direction: 'response', code: 0x51 } });
  });

  it('device identification capture (Babyleo TN500) ends in checksum A5', () => {
    const bytes = [
      0x01, // SOH
      0x52, // 'R' device identification
      ...ascii("5700'Babyleo TN500'01.06:06.00"), // id, 'name', device version : MEDIBUS version
      0x41, 0x35, // 'A' '5' checksum
      0x0d, // CR
    ];
    expect([...buildResponse(0x52, "5700'Babyleo TN500'01.06:06.00")]).toEqual(bytes);
    const out = decodeMedibus(Uint8Array.from(bytes));
    expect(out).toEqual({
      ok: true,
      value: { direction: 'response', code: 0x52, command: 'device-id', device_id: '5700', name: 'Babyleo TN500', revision: '01.06:06.00', realtime: [] },
    });
  });

  it('request device identification 1B 52 36 44 0D and STOP 1B 55 37 30 0D', () => {
    expect([...buildCommand(0x52)]).toEqual([0x1b, 0x52, 0x36, 0x44, 0x0d]);
    expect([...buildCommand(0x55)]).toEqual([0x1b, 0x55, 0x37, 0x30, 0x0d]);
  });
});

describe('decode rejects', () => {
  it('checksum, short, framing, with offsets', () => {
    expect(decodeFrame(hex('01 51 35 33 0d'))).toEqual({ ok: false, reason: 'checksum', at: 2 });
    expect(decodeFrame(hex('01 51 0d'))).toEqual({ ok: false, reason: 'short', at: 3 });
    expect(decodeFrame(hex('02 51 35 32 0d'))).toEqual({ ok: false, reason: 'framing', at: 0 });
    expect(decodeFrame(hex('01 51 35 32 0a'))).toEqual({ ok: false, reason: 'framing', at: 4 });
    expect(decodeFrame(hex('01 51 5a 5a 0d'))).toEqual({ ok: false, reason: 'checksum', at: 2 });
  });

  it('the CLI codec reports offsets in the original input (realtime bytes included)', () => {
    // D1 8A 80 are realtime bytes before a frame with a bad checksum
    expect(decodeMedibus(hex('d1 8a 80 01 51 35 33 0d'))).toEqual({ ok: false, reason: 'checksum', at: 5 });
    expect(decodeMedibus(new Uint8Array())).toEqual({ ok: false, reason: 'short', at: 0 });
  });
});

describe('response payloads', () => {
  it('measured data CP1: code + 4-char value, ---- is null, raw kept', () => {
    const data = '7D18.0' + '78 6.0' + '88 452' + 'B2----' + '5F  42';
    const frame = buildResponse(0x24, data);
    const out = decodeMedibus(frame);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.records).toEqual([
      { code: 0x7d, value: 18, raw: '18.0' }, // peak pressure, mbar
      { code: 0x78, value: 6, raw: ' 6.0' }, // PEEP, mbar
      { code: 0x88, value: 452, raw: ' 452' }, // tidal volume, mL
      { code: 0xb2, value: null, raw: '----' }, // leakage: not available
      { code: 0x5f, value: 42, raw: '  42' }, // a code the hub does not map: kept raw
    ]);
  });

  it('settings: code + 5-char value', () => {
    expect(parseDataRecords('0B  5.0' + '12 12.0', 5)).toEqual({
      ok: true, value: [{ code: 0x0b, value: 5, raw: '  5.0' }, { code: 0x12, value: 12, raw: ' 12.0' }],
    });
    expect(parseDataRecords('0B  5.', 5)).toEqual({ ok: false, reason: 'length', at: 0 });
    expect(parseDataRecords('ZZ  5.0', 5)).toEqual({ ok: false, reason: 'format', at: 0 });
  });

  it('alarms: priority char, code, 12-char phrase', () => {
    // 'K' = '0' + 27, code 10, 'PAW HIGH' padded to 12
    expect(parseAlarms('K10PAW HIGH    ')).toEqual({ ok: true, value: [{ priority: 27, code: 0x10, text: 'PAW HIGH' }] });
    expect(parseAlarms('K10PAW')).toEqual({ ok: false, reason: 'length', at: 0 });
  });

  it('text messages: code, length char, text, ETX', () => {
    expect(parseTextMessages('0E5BIPAP\x03206adults\x03')).toEqual({
      ok: true, value: [{ code: 0x0e, text: 'BIPAP' }, { code: 0x20, text: 'adults' }],
    });
    expect(parseTextMessages('0E5BIPA')).toEqual({ ok: false, reason: 'short', at: 7 });
    expect(parseTextMessages('0E5BIPAPX')).toEqual({ ok: false, reason: 'format', at: 8 });
  });

  it('date and time with German month names', () => {
    expect(parseDateTime('14:05:0923-DEZ-26')).toEqual({ ok: true, value: '2026-12-23T14:05:09' });
    expect(parseDateTime('08:30 3-MAI-25')).toEqual({ ok: true, value: '2025-05-03T08:30:00' });
    expect(parseDateTime('25:00:0001-JAN-26')).toMatchObject({ ok: false, reason: 'range' });
    expect(parseDateTime('12:00:0001-XYZ-26')).toMatchObject({ ok: false, reason: 'format' });
  });

  it('device identification and realtime configuration', () => {
    expect(parseDeviceIdent("0161'ICE'04.03")).toEqual({ ok: true, value: { id: '0161', name: 'ICE', revision: '04.03' } });
    // stream 00: interval 16000 µs, min -20, max 80, maxbin FFF (23 chars)
    expect(parseRealtimeConfig('00' + '   16000' + '  -20' + '   80' + 'FFF')).toEqual({
      ok: true, value: [{ code: 0, intervalUs: 16000, min: -20, max: 80, maxbin: 0xfff }],
    });
    expect(parseRealtimeConfig('00' + '   16000' + '  -20' + '  -30' + 'FFF')).toMatchObject({ ok: false, reason: 'format', at: 15 });
  });

  it('NAK response and command arguments', () => {
    expect(decodeMedibus(buildResponse(0x15))).toMatchObject({ ok: true, value: { direction: 'response', code: 0x15, nak: true } });
    expect(decodeMedibus(buildCommand(0x54, '0005'))).toMatchObject({ ok: true, value: { direction: 'command', command: 'configure-realtime', args: '0005' } });
  });

  it('is registered as the `medibus` codec', () => {
    expect(codecs.map((c) => c.name)).toEqual(['medibus']);
    expect(codecs[0]?.decode(hex('1b 51 36 43 0d'), {})).toMatchObject({ ok: true, value: { direction: 'command', code: 0x51 } });
  });
});
