import { ok, reject, type Codec, type Decoded } from '../shared/codec.js';
import { Cmd, DC1, DC3, commandName } from './commands.js';
import { dataText, decodeFrame, type MedibusFrame } from './codec.js';
import {
  parseAlarms, parseDataRecords, parseDateTime, parseDeviceIdent, parseRealtimeConfig, parseTextMessages,
} from './records.js';

type Fields = Record<string, unknown>;

/**
 * `carehub decode medibus HEX...`: one slow-channel frame, possibly with realtime bytes
 * (bit 7 set) and XON/XOFF interleaved; those are separated out first.
 */
export function decodeMedibus(bytes: Uint8Array): Decoded<Fields> {
  const slow: number[] = [];
  const where: number[] = [];
  const realtime: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b & 0x80) realtime.push(b);
    else if (b !== DC1 && b !== DC3) { slow.push(b); where.push(i); }
  }
  if (slow.length === 0) {
    if (realtime.length === 0) return reject('short', 0);
    return ok({ direction: null, code: null, command: null, realtime });
  }
  const at = (i: number): number => where[i] ?? bytes.length;
  const f = decodeFrame(Uint8Array.from(slow));
  if (!f.ok) return reject(f.reason, at(f.at));
  const payload = describePayload(f.value);
  if (!payload.ok) return reject(payload.reason, at(2 + payload.at));
  return ok({
    direction: f.value.direction,
    code: f.value.code,
    command: commandName(f.value.code),
    ...payload.value,
    realtime,
  });
}

function describePayload(f: MedibusFrame): Decoded<Fields> {
  const text = dataText(f);
  if (f.direction === 'command') return ok(text.length ? { args: text } : {});
  switch (f.code) {
    case Cmd.MeasuredCp1: case Cmd.MeasuredCp2:
    case Cmd.LowLimitsCp1: case Cmd.HighLimitsCp1: case Cmd.LowLimitsCp2: case Cmd.HighLimitsCp2:
      return wrap(parseDataRecords(text, 4), (records) => ({ records }));
    case Cmd.Settings:
      return wrap(parseDataRecords(text, 5), (records) => ({ records }));
    case Cmd.AlarmsCp1: case Cmd.AlarmsCp2: case Cmd.AlarmsCp3:
      return wrap(parseAlarms(text), (alarms) => ({ alarms }));
    case Cmd.TextMessages:
      return wrap(parseTextMessages(text), (texts) => ({ texts }));
    case Cmd.DeviceId:
      return wrap(parseDeviceIdent(text), (id) => ({ device_id: id.id, name: id.name, revision: id.revision }));
    case Cmd.DateTime:
      return wrap(parseDateTime(text), (date_time) => ({ date_time }));
    case Cmd.RealtimeConfig:
      return wrap(parseRealtimeConfig(text), (streams) => ({
        streams: streams.map((s) => ({ code: s.code, interval_us: s.intervalUs, min: s.min, max: s.max, maxbin: s.maxbin })),
      }));
    case Cmd.Nak:
      return ok({ nak: true });
    default:
      return ok(text.length ? { data: text } : {});
  }
}

function wrap<T>(d: Decoded<T>, f: (v: T) => Fields): Decoded<Fields> {
  return d.ok ? ok(f(d.value)) : d;
}

export const codecs: Codec[] = [
  {
    name: 'medibus',
    description: 'Draeger MEDIBUS frame (slow channel; realtime bytes separated out)',
    decode: (bytes) => decodeMedibus(bytes),
  },
];
