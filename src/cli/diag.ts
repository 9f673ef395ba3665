import { openSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { controlRequest } from '../control/client.js';
import { buildBundle, got, missing, type DiagSources } from '../diag/bundle.js';
import { readStoreFile } from '../diag/store-stats.js';
import { EXIT_FAILURE, EXIT_OK } from './exit.js';

/**
 * `carehub diag [--out FILE]`: a diagnostics bundle (tar.gz) for a technician, without patient
 * data (src/diag/bundle.ts). Asks the running service for its status over the control socket
 * and reads the database read-only; every part that cannot be had says why in the bundle.
 */
export async function diagCommand(o: { out?: string; config?: string }): Promise<number> {
  const file = o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
  const loaded = loadConfigFile(file);
  const config = loaded.ok ? loaded.config : null;
  const src: DiagSources = {
    config: config ? got(config) : missing(`configuration ${file} unusable: ${loaded.ok ? '' : loaded.problems.map((p) => `${p.path}: ${p.message}`).slice(0, 5).join('; ')}`),
    status: missing('no configuration, so no control socket to ask'),
    store: missing('no configuration, so no database path'),
    integrity: missing('no configuration, so no database path'),
  };
  if (config) {
    try {
      src.status = got(await controlRequest(config.local.controlSocket, 'status', {}, 5000));
    } catch (err) {
      src.status = missing(`the service did not answer on ${config.local.controlSocket}: ${(err as Error).message}`);
    }
    Object.assign(src, readStoreFile(config.storage.path));
  }
  const bundle = await buildBundle(src);
  const out = o.out ?? `carehub-diag-${config?.hub.id ?? 'unknown'}-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;
  try {
    const fd = openSync(out, 'w', 0o600);
    try { writeSync(fd, bundle); fsyncSync(fd); } finally { closeSync(fd); }
  } catch (err) {
    process.stderr.write(`carehub: cannot write ${out}: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  process.stdout.write(`${out} (${bundle.length} bytes)\n`);
  return EXIT_OK;
}
