import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMedibus } from '../../../drivers/ventilator-medibus/codecs.js';
import { MedibusFramer } from '../../../drivers/ventilator-medibus/framer.js';

interface Line { dir: 'host' | 'device'; t: number; hex: string; note: string; expect?: Record<string, unknown>; reject?: { reason: string; at: number } }

const lines: Line[] = readFileSync(new URL('../../../drivers/ventilator-medibus/fixtures/session-start.jsonl', import.meta.url), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l) as Line);

describe('MEDIBUS fixtures (session-start.jsonl)', () => {
  for (const l of lines) {
    it(`${l.dir} +${l.t} ms: ${l.note}`, () => {
      const d = decodeMedibus(Uint8Array.from(Buffer.from(l.hex, 'hex')));
      if (l.reject) expect(d).toEqual({ ok: false, ...l.reject });
      else expect(d).toEqual({ ok: true, value: l.expect });
    });
  }

  it('the whole device side as one stream: frames, rejects and realtime bytes come apart', () => {
    const stream = Buffer.concat(lines.filter((l) => l.dir === 'device').map((l) => Buffer.from(l.hex, 'hex')));
    const codes: number[] = [];
    const rejects: string[] = [];
    let realtime = 0;
    const f = new MedibusFramer({ frame: (x) => codes.push(x.code), realtime: (b) => { realtime += b.length; }, reject: (r) => rejects.push(r) });
    f.push(stream);
    expect(codes).toEqual([0x51, 0x52, 0x24, 0x27, 0x15]);
    expect(rejects).toEqual(['checksum', 'short']);
    expect(realtime).toBe(5);
  });

  it('pins the alarm fixture: priority 30 code 0x9A', () => {
    const l = lines.find((x) => x.t === 1040);
    expect(l?.expect?.alarms).toEqual([{ priority: 30, code: 0x9a, text: 'DISCONNECT' }]);
    expect(l?.expect?.realtime).toEqual([0xd3, 0x85, 0x81, 0xbf, 0x80]);
  });
});
