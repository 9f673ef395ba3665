import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, chmodSync, copyFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { migrate, migrations } from '../../src/store/migrations.js';
import { harness, idsOf, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const mode = (p: string): number => statSync(p).mode & 0o777;

function corruptFiles(path: string): string[] {
  return readdirSync(dirname(path)).filter((f) => f.includes('.corrupt-'));
}

describe('opening the database', () => {
  it('creates the parent 0700 and the database 0600, in WAL mode with synchronous=FULL', () => {
    const s = h.open();
    s.insertReadings(readings(0, 1));
    expect(mode(dirname(h.path))).toBe(0o700);
    expect(mode(h.path)).toBe(0o600);
    expect(mode(`${h.path}-wal`)).toBe(0o600);
    s.close();
    const db = new Database(h.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('tightens an existing world-readable file to 0600', () => {
    h.open().close();
    chmodSync(h.path, 0o644);
    h.open().close();
    expect(mode(h.path)).toBe(0o600);
  });

  it('migrates an empty file to the latest version, and reopening is idempotent', () => {
    mkdirSync(dirname(h.path), { recursive: true });
    writeFileSync(h.path, ''); // an empty file is a valid, empty database
    const s = h.open();
    expect(s.stats().schemaVersion).toBe(migrations.length);
    expect(h.conditions).toEqual([]);
    s.insertReadings(readings(0, 2));
    s.close();
    const s2 = h.open();
    expect(s2.stats().schemaVersion).toBe(migrations.length);
    expect(idsOf(s2, 1)).toEqual(['rid-0', 'rid-1']);
    s2.close();
  });

  it('applies migration steps in order, each once', () => {
    const db = new Database(':memory:');
    const order: number[] = [];
    const steps = [() => order.push(1), () => order.push(2)];
    const log = createLogger({ level: 'silent' });
    expect(migrate(db, log, steps)).toEqual([1, 2]);
    expect(migrate(db, log, steps)).toEqual([]);
    expect(migrate(db, log, [...steps, () => order.push(3)])).toEqual([3]);
    expect(order).toEqual([1, 2, 3]);
    expect(() => migrate(db, log, steps)).toThrow(/newer/);
    db.close();
  });
});

describe('corrupt database at start-up', () => {
  function expectRecovered(): void {
    const moved = corruptFiles(h.path).filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'));
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/^carehub\.db\.corrupt-\d{8}T\d{6}Z$/);
    expect(h.conditions).toEqual([expect.objectContaining({ code: 'storage_corrupt_recovered', active: true })]);
  }

  it('moves a file of garbage aside, raises storage_corrupt_recovered, and works on a fresh file', () => {
    h.open().close();
    writeFileSync(h.path, Buffer.alloc(8192, 0x5a));
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); return true; } } as unknown as NodeJS.WritableStream });
    const s = harnessWithLog(log).open();
    expectRecovered();
    const err = lines.map((l) => JSON.parse(l) as { level: number; ns?: string; msg: string }).find((l) => l.level >= 50);
    expect(err).toMatchObject({ ns: 'store' });
    expect(err!.msg).toMatch(/corrupt/);
    expect(s.insertReadings(readings(0, 3)).inserted).toBe(3);
    expect(mode(h.path)).toBe(0o600);
    s.close();
    // the next start is clean: no second recovery
    h.conditions.length = 0;
    h.open().close();
    expect(h.conditions).toEqual([]);
  });

  it('recovers from a truncated real database (with its -wal and -shm moved too)', () => {
    const s = h.open();
    for (let i = 0; i < 40; i++) s.insertReadings(readings(i * 100, 100));
    s.close();
    const size = statSync(h.path).size;
    expect(size).toBeGreaterThan(100_000);
    truncateSync(h.path, Math.floor(size / 3));
    writeFileSync(`${h.path}-wal`, Buffer.alloc(100, 1));
    const s2 = h.open();
    expectRecovered();
    expect(corruptFiles(h.path).some((f) => f.endsWith('-wal'))).toBe(true);
    expect(s2.depth().total).toBe(0);
    expect(s2.insertReadings(readings(0, 1)).inserted).toBe(1);
    s2.close();
  });

  it('recovers from a file with a damaged page inside (quick_check fails)', () => {
    const s = h.open();
    for (let i = 0; i < 20; i++) s.insertReadings(readings(i * 100, 100));
    s.close();
    const buf = readFileSync(h.path);
    const pageSize = buf.readUInt16BE(16);
    // scribble over a few interior pages, leaving the header intact
    for (let p = 3; p < 8; p++) buf.fill(0xa5, p * pageSize, p * pageSize + 200);
    writeFileSync(h.path, buf);
    const s2 = h.open();
    expectRecovered();
    s2.close();
  });

  it('keeps a healthy file untouched', () => {
    const s = h.open();
    s.insertReadings(readings(0, 5));
    s.close();
    copyFileSync(h.path, `${h.path}.copy`);
    const s2 = h.open();
    expect(h.conditions).toEqual([]);
    expect(corruptFiles(h.path)).toEqual([]);
    expect(s2.depth().total).toBe(5);
    s2.close();
    expect(existsSync(`${h.path}.copy`)).toBe(true);
  });
});

function harnessWithLog(log: ReturnType<typeof createLogger>): Harness {
  const h2 = harness(tmp.dir, log);
  // share the same condition sink so expectRecovered sees it
  return { ...h2, open: (over = {}) => h2.open({ onTechnical: (c) => h.conditions.push(c), clock: h.clock, ...over }) };
}
