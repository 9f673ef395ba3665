import type { UplinkConfig } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { FhirBundler } from './fhir-bundle.js';
import type { DeviceIdentity } from './fhir-devices.js';

/**
 * One encoded readings batch: the MQTT payload. A string, not a Buffer: mqtt.js deep-copies a
 * Buffer payload of every QoS 1 publish into its outgoing store (a second copy of each batch,
 * left to the garbage collector: ~100 MB/s of short-lived ArrayBuffers during a drain, measured),
 * while a string is kept by reference and encoded once into the socket write, whose buffer is
 * freed when the write completes.
 */
export interface EncodedBatch {
  body: string;
}

export interface BatchEncoder {
  encode(payloads: string[]): EncodedBatch;
  /**
   * The same batch from the payloads already joined with commas (the store builds it in SQLite:
   * no string per reading). Only formats that publish the stored payloads as they are.
   */
  encodeJoined?(joined: string): EncodedBatch;
}

/**
 * `{"v":1,"hub":..,"readings":[p1,p2,...]}` from the stored payload strings as they are: no
 * parse, no re-stringify. With the payloads joined by the store, the body is the prefix, the
 * joined string and the suffix concatenated (V8 keeps that as a rope; the socket write flattens
 * it into its own buffer once).
 */
export class JsonBatchEncoder implements BatchEncoder {
  private readonly prefix: string;

  constructor(hub: string) {
    this.prefix = `{"v":1,"hub":${JSON.stringify(hub)},"readings":[`;
  }

  encode(payloads: string[]): EncodedBatch {
    return { body: `${this.prefix}${payloads.join(',')}]}` };
  }

  encodeJoined(joined: string): EncodedBatch {
    return { body: `${this.prefix}${joined}]}` };
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
