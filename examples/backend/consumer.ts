/**
 * Example backend consumer: takes the hubs' readings through an MQTT 5 shared subscription
 * (`$share/<group>/carehub/+/readings`), so any number of these processes split the stream
 * between them with no sticky routing, and stores each reading once in SQLite, keyed by its id.
 *
 * At least once end to end: the PUBACK for a message goes back to the broker only after its
 * readings are committed, so a consumer killed mid-stream loses nothing (the broker sends the
 * unacknowledged message again — to the same client id when it comes back, its session being
 * persistent). Whatever arrives twice (a hub re-sending after a lost PUBACK, a redelivery) is
 * ignored by the primary key: every reading is stored once.
 *
 * Several processes may share one database file (WAL, busy timeout). Bounds: a message larger
 * than MAX_MESSAGE_BYTES or that is not a readings batch is counted and acknowledged (never
 * retried forever), and logged without its content.
 *
 *   node --import tsx examples/backend/consumer.ts --url mqtt://127.0.0.1:1883 --db readings.db --id backend-1
 */
import Database from 'better-sqlite3';
import { connect, type IPublishPacket } from 'mqtt';
import { parseArgs } from 'node:util';

export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface ConsumerStats { messages: number; stored: number; duplicates: number; rejected: number }

export function openReadingsDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.exec(`CREATE TABLE IF NOT EXISTS readings (
    id     TEXT PRIMARY KEY,
    hub    TEXT NOT NULL,
    device TEXT,
    metric TEXT,
    t      TEXT,
    by     TEXT NOT NULL,  -- the consumer that stored it first
    json   TEXT NOT NULL
  ) WITHOUT ROWID`);
  return db;
}

interface Batch { hub: string; readings: Array<{ id: string; device?: string; metric?: string; t?: string }> }

function parseBatch(payload: Buffer): Batch | null {
  if (payload.length > MAX_MESSAGE_BYTES) return null;
  let v: unknown;
  try { v = JSON.parse(payload.toString('utf8')); } catch { return null; }
  if (typeof v !== 'object' || v === null) return null;
  const b = v as { hub?: unknown; readings?: unknown };
  if (typeof b.hub !== 'string' || !Array.isArray(b.readings)) return null;
  if (!b.readings.every((r) => typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string')) return null;
  return b as Batch;
}

/** Stores one message's readings in one transaction, each id once; counts new and duplicate ones. */
export function storeBatch(db: Database.Database, payload: Buffer, stats: ConsumerStats, by: string): void {
  stats.messages++;
  const batch = parseBatch(payload);
  if (!batch) { stats.rejected++; return; }
  const insert = db.prepare('INSERT OR IGNORE INTO readings (id, hub, device, metric, t, by, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const inserted = db.transaction(() => {
    let n = 0;
    for (const r of batch.readings) n += insert.run(r.id, batch.hub, r.device ?? null, r.metric ?? null, r.t ?? null, by, JSON.stringify(r)).changes;
    return n;
  })();
  stats.stored += inserted;
  stats.duplicates += batch.readings.length - inserted;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    db: { type: 'string', default: 'readings.db' },
    id: { type: 'string', default: `backend-${process.pid}` },
    group: { type: 'string', default: 'backend' },
    prefix: { type: 'string', default: 'carehub' },
  } });
  const db = openReadingsDb(values.db);
  const stats: ConsumerStats = { messages: 0, stored: 0, duplicates: 0, rejected: 0 };
  // persistent session: what was sent to this consumer and not acknowledged comes back to it
  const client = connect(values.url, {
    protocolVersion: 5, clientId: values.id, clean: false, reconnectPeriod: 1000,
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 64 },
  });
  // the PUBACK goes out when `done` is called: after the commit
  client.handleMessage = (packet: IPublishPacket, done) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      storeBatch(db, payload, stats, values.id);
    } catch (err) {
      // the database failed: no PUBACK, the broker keeps the message for the next connection
      console.error(JSON.stringify({ msg: 'store failed', err: (err as Error).message }));
      client.end(true);
      process.exitCode = 1;
      return;
    }
    done();
  };
  client.on('connect', () => {
    client.subscribe(`$share/${values.group}/${values.prefix}/+/readings`, { qos: 1 }, (err) => {
      if (err) console.error(JSON.stringify({ msg: 'subscribe failed', err: err.message }));
      else console.log(JSON.stringify({ msg: 'subscribed', id: values.id }));
    });
  });
  client.on('error', (err) => console.error(JSON.stringify({ msg: 'mqtt error', err: err.message })));
  const report = setInterval(() => console.log(JSON.stringify({ msg: 'stats', id: values.id, ...stats })), 5000);
  const stop = (): void => {
    clearInterval(report);
    client.end(false, {}, () => { db.close(); console.log(JSON.stringify({ msg: 'stopped', id: values.id, ...stats })); });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
