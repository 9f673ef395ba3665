import type { UplinkConfig } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { FhirBundler } from './fhir-bundle.js';
import type { DeviceIdentity } from './fhir-devices.js';

/** One encoded readings batch; `release()` once the broker acknowledged it (or it was dropped). */
export interface EncodedBatch {
  body: Buffer;
  release(): void;
}

export interface BatchEncoder {
  encode(payloads: string[]): EncodedBatch;
  /**
   * The same batch from the payloads already joined with commas (the store builds it in SQLite:
   * no string per reading). Only formats that publish the stored payloads as they are.
   */
  encodeJoined?(joined: string): EncodedBatch;
  /** Drop spare buffers down to `keep` (when the outbox is drained). */
  trim(keep: number): void;
}

const MIN_BUFFER = 64 * 1024;

/**
 * `{"v":1,"hub":..,"readings":[p1,p2,...]}` written straight from the stored payload strings
 * into pooled buffers: no parse, no re-stringify, no intermediate joined string. A buffer goes
 * back to the pool after the PUBACK of its batch, so a long drain allocates a window's worth of
 * buffers once instead of a new ~100 kB string per batch that survives until its PUBACK and is
 * then left to the old-generation collector.
 */
export class JsonBatchEncoder implements BatchEncoder {
  private readonly prefix: Buffer;
  private free: Buffer[] = [];

  constructor(hub: string, private readonly poolMax: number) {
    this.prefix = Buffer.from(`{"v":1,"hub":${JSON.stringify(hub)},"readings":[`);
  }

  encode(payloads: string[]): EncodedBatch {
    let size = this.prefix.length + 2 + Math.max(0, payloads.length - 1);
    for (const p of payloads) size += Buffer.byteLength(p, 'utf8');
    const buf = this.acquire(size);
    let o = this.prefix.copy(buf, 0);
    for (let i = 0; i < payloads.length; i++) {
      if (i > 0) buf[o++] = 0x2c; // ,
      o += buf.write(payloads[i]!, o, 'utf8');
    }
    buf[o++] = 0x5d; // ]
    buf[o++] = 0x7d; // }
    return this.batch(buf, o);
  }

  private batch(buf: Buffer, o: number): EncodedBatch {
    let released = false;
    return {
      body: buf.subarray(0, o),
      release: () => {
        if (released) return;
        released = true;
        if (this.free.length < this.poolMax) this.free.push(buf);
      },
    };
  }

  encodeJoined(joined: string): EncodedBatch {
    const buf = this.acquire(this.prefix.length + Buffer.byteLength(joined, 'utf8') + 2);
    let o = this.prefix.copy(buf, 0);
    o += buf.write(joined, o, 'utf8');
    buf[o++] = 0x5d; // ]
    buf[o++] = 0x7d; // }
    return this.batch(buf, o);
  }

  trim(keep: number): void {
    if (this.free.length > keep) this.free.length = keep;
  }

  private acquire(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i]!;
      if (b.length >= size) {
        this.free.splice(i, 1);
        return b;
      }
    }
    let len = MIN_BUFFER;
    while (len < size) len *= 2;
    return Buffer.allocUnsafeSlow(len);
  }
}

/** `format: fhir` / `fut`: a FHIR R4 transaction Bundle per batch (parses each payload; not pooled). */
export class FhirBatchEncoder implements BatchEncoder {
  constructor(private readonly bundler: FhirBundler, private readonly now: () => number) {}

  encode(payloads: string[]): EncodedBatch {
    return { body: Buffer.from(this.bundler.bundle(payloads, this.now()).json), release: () => {} };
  }

  trim(): void {}
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
  if (format === 'json') return new JsonBatchEncoder(o.hubId, o.config.inflightBatches + 2);
  const bundler = new FhirBundler({ hub: o.hubId, version: o.version, format, fhir: o.config.fhir, devices: o.devices ?? [], ...(o.log ? { log: o.log } : {}) });
  return new FhirBatchEncoder(bundler, o.now);
}
