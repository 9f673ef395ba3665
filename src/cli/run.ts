import type { TechnicalCondition } from '../alarms/types.js';
import { resolveRunConfig, saveLastGood, stateDirFor, type ConfigSource } from '../config/last-good.js';
import type { ConfigProblem } from '../config/load.js';
import { createLogger } from '../core/log.js';
import { SystemClock } from '../core/system-clock.js';
import { annunciateFatal } from '../hub/annunciate-fatal.js';
import { Hub, InstanceLockedError } from '../hub/hub.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';
import { exitSoon, Lifecycle } from './lifecycle.js';

/**
 * `carehub run`: the service.
 * - Config file unusable: monitor with the last-known-good copy and raise `config_invalid`;
 *   without a copy, annunciate on the console and exit 2 listing every problem.
 * - Another hub holds the store: exit 1 with a message, before the store or the broker is touched.
 * - Local monitoring cannot start: annunciate, log why, exit 1 at once (systemd restarts us).
 * - An optional part (uplink, schedule, page, control socket) cannot start: its technical alarm,
 *   and the hub runs without it.
 * After a clean start (the file is valid and the preflight found nothing) the file's text is
 * saved as the new last-known-good copy.
 */
export async function runCommand(o: { config?: string; duration?: number }): Promise<number> {
  const file = o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
  const boot = createLogger({ level: 'info' });
  const life = new Lifecycle(boot, o.duration);
  const resolved = resolveRunConfig(file);
  if (!resolved.ok) {
    process.stderr.write(`carehub: invalid configuration ${file}, and no last-known-good configuration to fall back to:\n${formatProblems(resolved.problems)}`);
    await annunciateFatal({ local: null, log: boot, hubId: null, condition: 'config_invalid', text: `carehub is NOT monitoring: configuration ${file} unusable (${oneLine(resolved.problems)})` });
    life.dispose();
    exitSoon(EXIT_USAGE, boot, 200);
    return EXIT_USAGE;
  }
  const { config, source } = resolved;
  const log = createLogger({ level: config.log.level, levels: config.log.levels });
  life.setLog(log);
  for (const w of resolved.warnings) log.warn(w);
  if (resolved.overrides.length) log.info({ variables: resolved.overrides }, 'environment overrides applied');
  if (source.kind === 'last-good') {
    log.error({ file, copy: source.copy, savedAt: source.savedAt, problems: source.problems }, 'configuration file unusable; running on the last-known-good configuration');
    process.stderr.write(`carehub: invalid configuration ${file}; running on the last-known-good copy ${source.copy}:\n${formatProblems(source.problems)}`);
  }

  const clock = new SystemClock();
  clock.start();
  let hub: Hub;
  try {
    // Under systemd (Restart=always) a clean stop comes back in RestartSec: the console may offer it.
    const restart = process.env.INVOCATION_ID ? () => life.request('restart requested from the console') : undefined;
    hub = await Hub.start({ config, log, clock, startupConditions: [configCondition(source)], configFile: file, restart });
  } catch (err) {
    clock.stop();
    life.dispose();
    if (err instanceof InstanceLockedError) {
      log.error({ lock: err.lockPath }, 'another carehub instance is running on this store; not starting');
      process.stderr.write(`carehub: ${err.message}; not starting a second instance\n`);
    } else {
      const why = (err as Error).message;
      log.fatal({ err: why }, 'start-up failed; exiting');
      await annunciateFatal({ local: config.local, log, hubId: config.hub.id, condition: 'hub_start_failed', text: `carehub is NOT monitoring: ${why}` });
    }
    exitSoon(EXIT_FAILURE, log, 200);
    return EXIT_FAILURE;
  }
  if (hub.pageUrl) log.info({ url: hub.pageUrl, fingerprint: hub.consoleFingerprint ?? undefined }, 'console');
  if (source.kind === 'file' && hub.checks.problems.length === 0) keepAsLastGood(source.text, stateDirFor(config), log);

  await life.stopped;
  await hub.stop();
  clock.stop();
  life.dispose();
  log.info('stopped');
  exitSoon(EXIT_OK, log);
  return EXIT_OK;
}

function configCondition(source: ConfigSource): TechnicalCondition {
  if (source.kind === 'file') return { code: 'config_invalid', active: false, text: `Configuration ${source.file} valid` };
  return {
    code: 'config_invalid',
    active: true,
    text: `Configuration ${source.file} unusable (${oneLine(source.problems)}); running on the last-known-good configuration saved ${source.savedAt}`,
  };
}

function keepAsLastGood(text: string, dir: string, log: ReturnType<typeof createLogger>): void {
  try {
    const path = saveLastGood(dir, text);
    log.debug({ path }, 'last-known-good configuration saved');
  } catch (err) {
    log.warn({ dir, err: (err as Error).message }, 'could not save the last-known-good configuration');
  }
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}\n`).join('');
}

function oneLine(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}`).join('; ');
}
