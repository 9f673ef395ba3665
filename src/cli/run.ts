import { loadConfigFile } from '../config/load.js';
import { createLogger } from '../core/log.js';
import { SystemClock } from '../core/system-clock.js';
import { Hub } from '../hub/hub.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';
import { exitSoon, untilStopped } from './lifecycle.js';

/** `carehub run`: the service. Exit 2 on an invalid config, 1 on a start-up failure. */
export async function runCommand(o: { config?: string; duration?: number }): Promise<number> {
  const file = o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    process.stderr.write(`carehub: invalid configuration ${file}:\n`);
    for (const p of loaded.problems) process.stderr.write(`  ${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}\n`);
    return EXIT_USAGE;
  }
  const { config } = loaded;
  const log = createLogger({ level: config.log.level, levels: config.log.levels });
  for (const w of loaded.warnings) log.warn(w);
  if (loaded.overrides.length) log.info({ variables: loaded.overrides }, 'environment overrides applied');
  const clock = new SystemClock();
  clock.start();
  let hub: Hub;
  try {
    hub = await Hub.start({ config, log, clock });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'start-up failed');
    return EXIT_FAILURE;
  }
  if (hub.pageUrl) log.info({ url: hub.pageUrl }, 'local page');
  await untilStopped(o.duration, log);
  await hub.stop();
  clock.stop();
  log.info('stopped');
  exitSoon(EXIT_OK, log);
  return EXIT_OK;
}
