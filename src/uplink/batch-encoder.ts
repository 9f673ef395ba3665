import type { UplinkConfig } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { FhirBundler } from './fhir-bundle.js';
import type { DeviceIdentity } from './fhir-devices.js';
import type { BatchWrap } from '../store/outbox-types.js';

/** One encoded readings batch: the MQTT payload. */
export interface EncodedBatch {
  body: string;
}

export interface BatchEncoder {
  encode(payloads: string[]): EncodedBatch;
  /**
   * Formats that publish the stored payloads as they are, comma-separated, between a prefix and
   * a suffix: the store builds such a batch itself (outbox-types.ts pendingJoined), with no string
   * per reading.
   */
  readonly wrap?: BatchWrap;
}

/**
 * `{"v":1,"hub":..,"readings":[p1,p2,...]}` from the stored payload strings as they are: no
 * parse, no re-stringify. The drain has the store build it (`wrap`); `encode` is for an outbox
 * without that.
 */
export class JsonBatchEncoder implements BatchEncoder {
  readonly wrap: BatchWrap;

  constructor(hub: string) {
    this.wrap = { prefix: `{"v":1,"hub":${JSON.stringify(hub)},"readings":[`, suffix: ']}' };
  }

  encode(payloads: string[]): EncodedBatch {
    return { body: `${this.wrap.prefix}${payloads.join(',')}${this.wrap.suffix}` };
  }
}

/** `format: fhir` / `fut`: a FHIR R4 transaction Bundle per batch (parses each payload). */
export class FhirBatchEncoder implements BatchEncoder {
  constructor(private readonly bundler: FhirBundler, private readonly now: () => number) {}

  encode(payloads: string[]): EncodedBatch {
    return { body: this.bundler.bundle(payloads, this.now()).json };
  }
}

export interface EncoderOptions {
  config: UplinkConfig;
  hubId: string;
  version: string;
  now: () => number;
  /** The configured devices (Device resources, HTEST for simulated ones). */
  devices?: readonly DeviceIdentity[];
  log?: Logger;
}

/** The encoder of `uplink.format`. What each format needs is checked by formatProblems (fhir-config.ts). */
export function makeBatchEncoder(o: EncoderOptions): BatchEncoder {
  const format = o.config.format;
  if (format === 'json') return new JsonBatchEncoder(o.hubId);
  const bundler = new FhirBundler({ hub: o.hubId, version: o.version, format, fhir: o.config.fhir, devices: o.devices ?? [], ...(o.log ? { log: o.log } : {}) });
  return new FhirBatchEncoder(bundler, o.now);
}
