import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { smallFs, type SmallFs } from '../store/small-fs.js';

/**
 * For the storage fault runs: a place where the disk really fills up (test/store/small-fs.ts)
 * and a real broker, set up before the file's tests and removed after. Says which disk runs.
 */
export function smallDiskAndBroker(name: string): { readonly fs: SmallFs; readonly broker: TestBroker } {
  let base = '';
  let fs: SmallFs | undefined;
  let broker: TestBroker | undefined;
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), `carehub-${name}-`));
    fs = smallFs(base);
    console.log(`${name}: the disk fills for real on a ${fs.how === 'tmpfs' ? '2 MB tmpfs' : 'SQLite max_page_count ceiling (mount refused)'}`);
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.stop();
    await broker?.dispose();
    fs?.dispose();
    rmSync(base, { recursive: true, force: true });
  });
  return {
    get fs(): SmallFs { if (!fs) throw new Error('not set up yet'); return fs; },
    get broker(): TestBroker { if (!broker) throw new Error('not set up yet'); return broker; },
  };
}
