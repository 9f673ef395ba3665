import { ok, type Codec, type CodecOptions, type Decoded } from '../shared/codec.js';
import { decodeFeature, decodeRunTime, decodeStatus, featureToJson, statusToJson } from './codec-feature.js';
import { decodeMeasurement, measurementOptions, recordToJson } from './codec-measurement.js';
import { decodeSessionStartTime, sessionStartToJson } from './codec-session.js';
import { e2eFromCodecOptions } from './e2e.js';
import { decodeSocp, socpToJson } from './socp.js';

type Out = Decoded<Record<string, unknown>>;

function map<T>(d: Decoded<T>, f: (v: T) => Record<string, unknown>): Out {
  return d.ok ? ok(f(d.value)) : d;
}

/** `carehub decode` codecs of the CGMS driver (contract §6). `--crc` and `--quirk warning-first` apply. */
export const codecs: Codec[] = [
  {
    name: 'cgm-measurement',
    description: 'CGM Measurement (0x2AA7): one or more records',
    quirks: ['warning-first'],
    decode: (b: Uint8Array, o: CodecOptions): Out =>
      map(decodeMeasurement(b, measurementOptions(o)), (rs) => ({ records: rs.map(recordToJson) })),
  },
  {
    name: 'cgm-feature',
    description: 'CGM Feature (0x2AA8)',
    decode: (b, o) => map(decodeFeature(b, e2eFromCodecOptions(o)), featureToJson),
  },
  {
    name: 'cgm-status',
    description: 'CGM Status (0x2AA9)',
    decode: (b, o) => map(decodeStatus(b, e2eFromCodecOptions(o)), statusToJson),
  },
  {
    name: 'cgm-session-start-time',
    description: 'CGM Session Start Time (0x2AAA)',
    decode: (b, o) => map(decodeSessionStartTime(b, e2eFromCodecOptions(o)), sessionStartToJson),
  },
  {
    name: 'cgm-session-run-time',
    description: 'CGM Session Run Time (0x2AAB), hours',
    decode: (b, o) => map(decodeRunTime(b, e2eFromCodecOptions(o)), (r) => ({ hours: r.hours, crc: r.crc })),
  },
  {
    name: 'cgm-socp',
    description: 'CGM Specific Ops Control Point (0x2AAC)',
    decode: (b, o) => map(decodeSocp(b, e2eFromCodecOptions(o)), socpToJson),
  },
];
