import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';

/** What the store keeps of a packet: enough to answer its acknowledgement, no payload. */
export interface PacketMetadata {
  cmd: 'publish' | 'pubrel';
  messageId: number;
  qos: number;
  topic?: string;
}

/** mqtt.js's packet type, as IStore names it (not re-exported by mqtt). */
type StorePacket = Parameters<IStore['put']>[0];
type PacketCallback = Parameters<IStore['del']>[1];
/** readable-stream's Readable (mqtt.js's own dependency); mqtt.js only reads it, ends it, destroys it. */
type StoreStream = ReturnType<IStore['createStream']>;

/**
 * The outgoing store of the uplink's MQTT client: it remembers which message ids are waiting for
 * their acknowledgement, and nothing of what they carried.
 *
 * mqtt.js puts every QoS 1/2 PUBLISH (and PUBREL) into its outgoing store before writing it, takes
 * it out again on the PUBACK (`del`; a `del` that finds nothing turns into a publish error), and
 * on a (re)connect replays whatever `createStream()` yields. Its default store keeps the whole
 * packet, payload included, until the PUBACK: a ~120 kB batch string per message in flight that
 * V8 then promotes to the old generation. Here the payload is dropped as soon as it is written.
 *
 * Resending after a reconnect is the drainer's job, not mqtt.js's: every row without an
 * acknowledgement stays unsent in SQLite and is read and published again on the next connection
 * (the uplink also makes a new client per connection). So `createStream()` is always empty: this
 * store never makes mqtt.js resend anything, and it could not (it has no payload to send).
 *
 * Bounded by construction: one small entry per message id in flight (at most 65,535), removed on
 * the acknowledgement, all of them on close.
 */
export class MetadataStore implements IStore {
  private inflight = new Map<number, PacketMetadata>();

  put(packet: StorePacket, cb: () => void): this {
    if ((packet.cmd === 'publish' || packet.cmd === 'pubrel') && typeof packet.messageId === 'number') {
      const meta: PacketMetadata = { cmd: packet.cmd, messageId: packet.messageId, qos: packet.cmd === 'publish' ? packet.qos : 1 };
      if (packet.cmd === 'publish') meta.topic = String(packet.topic);
      this.inflight.set(packet.messageId, meta);
    }
    cb();
    return this;
  }

  /** Never replays: unacknowledged readings are re-sent from the outbox by the drainer. */
  createStream(): StoreStream {
    return new Readable({ objectMode: true, read() { this.push(null); } }) as unknown as StoreStream;
  }

  del(packet: Pick<StorePacket, 'messageId'>, cb: PacketCallback): this {
    return this.take(packet.messageId, cb, true);
  }

  get(packet: Pick<StorePacket, 'messageId'>, cb: PacketCallback): this {
    return this.take(packet.messageId, cb, false);
  }

  close(cb: () => void): void {
    this.inflight.clear();
    cb();
  }

  /** Message ids waiting for an acknowledgement. */
  get size(): number {
    return this.inflight.size;
  }

  /** The entries (tests: what the store holds of a packet in flight). */
  entries(): PacketMetadata[] {
    return [...this.inflight.values()];
  }

  private take(id: number | undefined, cb: PacketCallback, remove: boolean): this {
    const meta = id === undefined ? undefined : this.inflight.get(id);
    if (!meta) {
      cb(new Error('missing packet'));
      return this;
    }
    if (remove) this.inflight.delete(meta.messageId);
    cb(undefined, meta as unknown as StorePacket);
    return this;
  }
}
