import { describe, expect, it } from 'vitest';
import { racpCodec, encodeRacp, decodeRacp } from '../../drivers/shared/racp.js';

const dec = (bytes: number[]) => racpCodec.decode(Uint8Array.from(bytes), {});

describe('racp codec', () => {
  it('decodes a "report all records" request', () => {
    expect(dec([
      0x01, // op code: report stored records
      0x01, // operator: all records
    ])).toEqual({ ok: true, value: { opcode: 1, opcode_name: 'report_stored_records', operator: 1, operator_name: 'all' } });
  });

  it('decodes the response code that ends a procedure', () => {
    expect(dec([
      0x06, // op code: response code
      0x00, // operator: null
      0x01, // request op code: report stored records
      0x01, // response: success
    ])).toMatchObject({ ok: true, value: { opcode: 6, request_opcode: 1, response_code: 1, response: 'success' } });
    expect(dec([0x06, 0x00, 0x01, 0x06])).toMatchObject({ ok: true, value: { response: 'no_records_found' } });
  });

  it('decodes a number-of-records response', () => {
    expect(dec([
      0x05,       // op code: number of stored records response
      0x00,       // operator: null
      0x2c, 0x01, // count 300
    ])).toMatchObject({ ok: true, value: { opcode: 5, count: 300 } });
  });

  it('decodes a CGMS time-offset filter (filter type 0x01)', () => {
    expect(dec([
      0x01,       // report stored records
      0x03,       // operator: greater than or equal to
      0x01,       // filter type: time offset
      0xa0, 0x05, // 1440 minutes
    ])).toMatchObject({ ok: true, value: { operator: 3, filter_type: 1, filter_min: 1440, filter_max: null } });
    expect(dec([0x01, 0x04, 0x01, 0x0a, 0x00, 0x14, 0x00])).toMatchObject({ ok: true, value: { filter_min: 10, filter_max: 20 } });
    expect(dec([0x01, 0x04, 0x02, 0x01, 0x02])).toMatchObject({ ok: true, value: { filter_type: 2, operand: '0102' } });
  });

  it('rejects short, reserved and malformed messages', () => {
    expect(dec([0x01])).toEqual({ ok: false, reason: 'short', at: 1 });
    expect(dec([0x00, 0x01])).toEqual({ ok: false, reason: 'opcode', at: 0 });
    expect(dec([0x07, 0x01])).toEqual({ ok: false, reason: 'opcode', at: 0 });
    expect(dec([0x01, 0x07])).toEqual({ ok: false, reason: 'reserved', at: 1 });
    expect(dec([0x06, 0x00, 0x01])).toEqual({ ok: false, reason: 'short', at: 3 });
    expect(dec([0x06, 0x00, 0x01, 0x00])).toEqual({ ok: false, reason: 'reserved', at: 3 });
    expect(dec([0x06, 0x00, 0x01, 0x01, 0x00])).toEqual({ ok: false, reason: 'length', at: 4 });
    expect(dec([0x05, 0x01, 0x00, 0x00])).toEqual({ ok: false, reason: 'reserved', at: 1 });
    expect(dec([0x01, 0x03, 0x01, 0x0a])).toEqual({ ok: false, reason: 'short', at: 4 });
  });

  it('encodes requests byte for byte', () => {
    expect([...encodeRacp(1, 1)]).toEqual([0x01, 0x01]);
    expect([...encodeRacp(1, 3, [0x01, 0xa0, 0x05])]).toEqual([0x01, 0x03, 0x01, 0xa0, 0x05]);
    expect(decodeRacp(encodeRacp(4, 1))).toMatchObject({ ok: true, value: { opcode: 4, operator: 1 } });
  });
});
