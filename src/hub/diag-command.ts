import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { buildBundle, got, missing } from '../diag/bundle.js';
import type { Uplink } from '../uplink/uplink.js';
import { statusOf, type LocalParts } from './start-local.js';

/** One reply carries this many bundle bytes (base64: ~44 kB of JSON). */
export const DIAG_CHUNK_BYTES = 32 * 1024;
/** A bundle is kept this long for its chunks to be fetched. */
export const DIAG_KEEP_MS = 10 * 60_000;
/** A new bundle at most this often (journalctl and a quick_check are not free on a Pi). */
export const DIAG_MIN_INTERVAL_MS = 60_000;

const args = z.strictObject({
  bundle: z.string().max(64).optional(),
  chunk: z.number().int().min(0).max(1024).default(0),
});

/**
 * `cmd/diag`: the backend fetches a diagnostics bundle (src/diag/bundle.ts, at most 1 MiB) in
 * chunks: a request without `bundle` builds one (or returns the one built less than a minute
 * ago) and answers chunk 0 with the bundle id, its size, SHA-256 and chunk count; the other
 * chunks are asked for with that id. Signed like a state-changing command: it reveals how the hub
 * is set up (never patient data or keys).
 */
interface Bundle { id: string; data: Buffer; sha256: string; at: number }

export function registerDiagCommand(uplink: Uplink, d: { config: Config; clock: Clock; parts: LocalParts; log: Logger }): void {
  let cached: Bundle | null = null;
  let building: Promise<Bundle> | null = null;

  const build = async (): Promise<Bundle> => {
    const { parts } = d;
    const integrity = await parts.store.integrityCheck().then((r) => got(r), (err: unknown) => missing(`integrity check failed: ${(err as Error).message}`));
    const data = await buildBundle({
      config: got(d.config),
      status: got(statusOf(parts)),
      store: got({ ...parts.store.stats(), durability: parts.store.durability() }),
      integrity,
    });
    const b = { id: randomUUID(), data, sha256: createHash('sha256').update(data).digest('hex'), at: d.clock.mono() };
    d.log.info({ bundle: b.id, bytes: data.length }, 'diagnostics bundle built for cmd/diag');
    return b;
  };

  uplink.registerCommand('diag', args, async (a) => {
    const now = d.clock.mono();
    if (cached && now - cached.at > DIAG_KEEP_MS) cached = null;
    let b: Bundle | null = cached;
    if (a.bundle === undefined) {
      if (!b || now - b.at >= DIAG_MIN_INTERVAL_MS) {
        building ??= build().finally(() => { building = null; });
        b = await building;
        cached = b;
      }
    } else if (!b || b.id !== a.bundle) {
      throw new Error(`bundle ${a.bundle} is no longer kept; request cmd/diag without "bundle" for a new one`);
    }
    const chunks = Math.max(1, Math.ceil(b.data.length / DIAG_CHUNK_BYTES));
    if (a.chunk >= chunks) throw new Error(`chunk ${a.chunk} out of range: the bundle has ${chunks} chunk(s)`);
    const data = b.data.subarray(a.chunk * DIAG_CHUNK_BYTES, (a.chunk + 1) * DIAG_CHUNK_BYTES);
    return { bundle: b.id, size: b.data.length, sha256: b.sha256, chunks, chunk: a.chunk, data: data.toString('base64') };
  });
}
