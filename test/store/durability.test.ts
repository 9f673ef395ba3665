import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const CHILD = fileURLToPath(new URL('./fixtures/ingest-child.ts', import.meta.url));

describe('durability', () => {
  it('every id acknowledged to a submitter survives SIGKILL of the process', async () => {
    const h = harness(tmp.dir);
    h.open().close(); // create the parent directory and schema
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, h.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve());
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) if (l.startsWith('kill-')) acked.push(l);
        if (acked.length >= 600 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(600);

    // reopen through the store (WAL recovery, integrity check) and look every acknowledged id up
    const s = h.open();
    expect(h.conditions).toEqual([]);
    s.close();
    const db = new Database(h.path, { readonly: true });
    const has = db.prepare('SELECT 1 FROM outbox WHERE uid = ?').pluck();
    const missing = acked.filter((id) => has.get(id) === undefined);
    db.close();
    expect(missing).toEqual([]);
  });
});
