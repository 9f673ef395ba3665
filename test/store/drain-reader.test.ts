import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { migrations } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';
import { reading } from './helpers.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'carehub-reader-'));
  dirs.push(d);
  return d;
}

function open(path: string, retainSentHours = 72): Store {
  return Store.open({ path, maxBytes: 64 * 1024 ** 2, retainSentHours, log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {} });
}

/** Open descriptors of this process on `path` (or its -wal/-shm). */
function handlesOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try { if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(path)) n++; } catch { /* closed meanwhile */ }
  }
  return n;
}

describe('drain reader (second connection)', () => {
  it('sees rows committed just before, counts delivered ranges right, and is closed with the store', () => {
    const path = join(tmp(), 'hub.db');
    const store = open(path);
    store.insertReadings([reading(1), reading(2)]);
    const first = store.pendingJoined(1, 0, 10);
    expect(first?.rows).toBe(2);
    store.insertReadings([reading(3)]); // committed on the store's connection
    const next = store.pendingJoined(1, first!.lastSeq, 10);
    expect(next?.rows).toBe(1);
    expect(JSON.parse(`[${next!.body}]`)).toMatchObject([{ id: 'rid-3' }]);
    store.ackRanges([{ lane: 1, from: 1, to: first!.lastSeq }]);
    expect(store.depth().byLane[1]).toBe(1);
    store.ackRanges([{ lane: 1, from: 1, to: next!.lastSeq }]); // overlaps the first: counts only 'c'
    expect(store.depth().total).toBe(0);
    expect(store.stats().retainedRows).toBe(3);
    if (process.platform === 'linux') expect(handlesOn(path)).toBeGreaterThan(0);
    store.close();
    if (process.platform === 'linux') expect(handlesOn(path)).toBe(0);
    const again = open(path);
    expect(again.depth().total).toBe(0);
    expect(again.stats().retainedRows).toBe(3);
    again.close();
  });

  it('an in-memory store drains through its own connection', () => {
    const notADir = join(tmp(), 'file');
    writeFileSync(notADir, '');
    const store = Store.open({ path: join(notADir, 'hub.db'), maxBytes: 1024 ** 2, retainSentHours: 0, log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {} });
    expect(store.mode).toBe('memory');
    store.insertReadings([reading(1), reading(2)]);
    const j = store.pendingJoined(1, 0, 10);
    expect(j?.rows).toBe(2);
    store.ackRanges([{ lane: 1, from: 1, to: j!.lastSeq }]);
    expect(store.depth().total).toBe(0);
    store.close();
  });

  it('acknowledgements and the open-time accounting count from the unsent index alone', () => {
    const db = new Database(':memory:');
    for (const m of migrations) m(db);
    const plan = (sql: string, ...args: unknown[]): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan('SELECT count(*), total(bytes) FROM outbox WHERE lane = ? AND seq BETWEEN ? AND ? AND sent_at IS NULL', 1, 1, 2)).toMatch(/COVERING INDEX outbox_unsent/);
    expect(plan('SELECT lane, count(*), total(bytes) FROM outbox WHERE sent_at IS NULL GROUP BY lane')).toMatch(/COVERING INDEX outbox_unsent/);
    expect(plan('SELECT lane, count(*), total(bytes) FROM outbox WHERE sent_at IS NULL GROUP BY lane')).not.toMatch(/TEMP B-TREE/);
    db.close();
  });
});
