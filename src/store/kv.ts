import type Database from 'better-sqlite3';
import type { Db } from './db.js';

/** Per-device persistent state, as drivers see it (structurally `DeviceState` of drivers/types.ts). */
export interface KeyValueState {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/**
 * Small durable key/value state (CGM backfill cursor, alarm engine state). Every `set` is its
 * own committed (fsynced) transaction before it returns, so keep it for state, not for streams.
 */
export class Kv {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;
  private readonly delStmt: Database.Statement;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
    this.setStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.delStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  }

  get(key: string): string | undefined {
    const v = this.getStmt.get(key) as string | undefined;
    return v ?? undefined;
  }

  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }

  delete(key: string): void {
    this.delStmt.run(key);
  }

  /** A view of the keys of one device, prefixed `device:<id>:`. */
  scoped(deviceId: string): KeyValueState {
    const prefix = `device:${deviceId}:`;
    return {
      get: (key) => this.get(prefix + key),
      set: (key, value) => this.set(prefix + key, value),
    };
  }
}
