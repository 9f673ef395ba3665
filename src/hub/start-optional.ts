import cron from 'node-cron';
import { alarmControlHandlers } from '../alarms/control-handlers.js';
import { UplinkWatch } from '../alarms/uplink-watch.js';
import type { TechnicalCondition } from '../alarms/types.js';
import { DEFAULT_SCHEDULE, describeProblems, uplinkProblems, type PreflightResult } from '../config/preflight.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { createControlServer } from '../control/server.js';
import { startHubConsole } from '../console/start.js';
import { registerDiagCommand } from './diag-command.js';
import type { LocalParts } from './start-local.js';
import type { StopList } from './stop-list.js';

/**
 * The parts of a hub that monitoring does not depend on. Each one that cannot start raises a
 * technical alarm naming the problem and the hub goes on without it; none of these functions
 * throws. A restored alarm of a part that now starts is cleared at once.
 */
export interface OptionalDeps {
  config: Config;
  log: Logger;
  clock: Clock;
  parts: LocalParts;
  checks: PreflightResult;
  stops: StopList;
  /** The config file the hub was started from, when it was (the console edits it). */
  configFile?: string | undefined;
  /** Stop so that the service manager starts the hub again (the console's restart). */
  restart?: (() => void) | undefined;
}

/** A technical condition reported only when it changes (retries repeat the same finding). */
function reporter(parts: LocalParts, { code }: { code: string }): (problem: string | null, okText: string) => void {
  let last: string | null | undefined;
  return (problem, okText) => {
    if (problem === last) return;
    last = problem;
    const c: TechnicalCondition = problem ? { code, active: true, text: problem } : { code, active: false, text: okText };
    parts.alarms.technical(c);
  };
}

/** Retry interval of an uplink that could not start (TLS files provisioned later, ...). */
export const UPLINK_RETRY_MS = 60_000;

export async function startUplink(d: OptionalDeps): Promise<void> {
  const { config, clock, parts, log } = d;
  const { uplink, alarms } = parts;
  const watch = new UplinkWatch({ clock, minutes: alarms.rules().uplinkDownMinutes, technical: (c) => alarms.technical(c) });
  uplink.onState((s) => watch.update(s));
  watch.update(uplink.state());
  d.stops.push('uplink watch', () => watch.stop());
  uplink.registerCommand('alarm-rules', ...alarms.ruleCommand());
  registerDiagCommand(uplink, { config, clock, parts, log: log.child('diag') });
  uplink.setAlarmRules(alarms.rulesInForce());
  const offRules = alarms.onRulesChange((info) => uplink.setAlarmRules(info));
  d.stops.push('alarm rules topic', () => offRules());
  uplink.setDevices(parts.registry.list());
  uplink.setActiveAlarms(alarms.active());

  const report = reporter(parts, { code: 'uplink_unavailable' });
  let first = true;
  const attempt = async (): Promise<boolean> => {
    const problems = first ? d.checks.problems.filter((p) => p.part === 'uplink') : uplinkProblems(config.uplink);
    first = false;
    let why = problems.length ? describeProblems(problems) : null;
    if (!why) {
      try {
        await uplink.start();
      } catch (err) {
        why = (err as Error).message;
      }
    }
    if (why) {
      report(`Uplink not started, readings and alarms are kept for later: ${why}`, '');
      return false;
    }
    report(null, 'Uplink started');
    return true;
  };
  d.stops.push('uplink', () => uplink.stop());
  if (await attempt()) return;
  log.error({ retryS: UPLINK_RETRY_MS / 1000 }, 'uplink not started; monitoring locally, retrying');
  let busy = false;
  const timer = clock.setInterval(() => {
    if (busy) return;
    busy = true;
    void attempt().then((ok) => {
      busy = false;
      if (ok) { clock.clearInterval(timer); log.info('uplink started'); }
    });
  }, UPLINK_RETRY_MS);
  d.stops.push('uplink retry', () => clock.clearInterval(timer));
}

/**
 * The cron jobs. A job whose expression or time zone cannot be used still runs, on the shipped
 * expression or the system time zone, and `schedule_unavailable` says which setting was ignored.
 */
export function startSchedule(d: OptionalDeps): void {
  const { config, log, parts } = d;
  const problems = d.checks.problems.filter((p) => p.part === 'schedule');
  const tzOk = !problems.some((p) => p.path === 'hub.timezone');
  const failures: string[] = problems.map((p) => `${p.path}: ${p.message}`);
  const jobs: Array<{ stop(): unknown }> = [];
  const add = (name: keyof Config['schedule'], run: () => void): void => {
    const exprOk = !problems.some((p) => p.path === `schedule.${name}`);
    const expr = exprOk ? config.schedule[name] : DEFAULT_SCHEDULE[name];
    const task = (): void => {
      try { run(); } catch (err) { log.error({ job: name, err: (err as Error).message }, 'scheduled job failed'); }
    };
    try {
      jobs.push(cron.schedule(expr, task, tzOk ? { timezone: config.hub.timezone } : {}));
    } catch (err) {
      failures.push(`schedule.${name}: ${(err as Error).message}`);
    }
  };
  add('housekeeping', () => { parts.store.housekeeping(); });
  add('integrityCheck', () => integrityCheck(parts, log));
  d.stops.push('schedule', () => { for (const j of jobs) void j.stop(); });
  const report = reporter(parts, { code: 'schedule_unavailable' });
  if (failures.length) {
    log.error({ problems: failures }, 'schedule settings not usable; shipped defaults in use');
    report(`Schedule settings not usable, shipped defaults in use: ${failures.join('; ')}`, '');
  } else {
    report(null, 'Schedule in force');
  }
}

/**
 * The scheduled integrity check: a quick_check in a worker, off the alarm loop. The store raises
 * (and later clears) `storage_error` itself; here only a check that could not run is logged.
 */
function integrityCheck(parts: LocalParts, log: Logger): void {
  parts.store.integrityCheck().catch((err: unknown) => log.error({ err: (err as Error).message }, 'integrity check could not run'));
}

/** The technicians' control socket (`carehub status`, `alarms`, `alarm-test`). */
export async function startControlSocket(d: OptionalDeps, status: () => unknown, extra: Record<string, (args: Record<string, unknown>) => unknown>): Promise<void> {
  const { config, log, parts } = d;
  const report = reporter(parts, { code: 'control_socket_unavailable' });
  const problems = d.checks.problems.filter((p) => p.part === 'control-socket');
  let why = problems.length ? describeProblems(problems) : null;
  if (!why) {
    try {
      const server = await createControlServer({
        path: config.local.controlSocket,
        log,
        handlers: { status: async () => status(), ...alarmControlHandlers(parts.alarms), ...extra },
      });
      d.stops.push('control socket', () => server.close());
    } catch (err) {
      why = (err as Error).message;
    }
  }
  if (why) {
    log.error({ err: why }, 'control socket not started');
    report(`Control socket not started (carehub status/alarms unavailable): ${why}`, '');
  } else {
    report(null, 'Control socket listening');
  }
}

/** The technician console (src/console); returns its URL, or null when it did not start (alarm raised). */
export async function startPage(d: OptionalDeps, status: () => unknown): Promise<string | null> {
  const { config, log, parts } = d;
  const report = reporter(parts, { code: 'local_page_unavailable' });
  const problems = d.checks.problems.filter((p) => p.part === 'local-page');
  let why = problems.length ? describeProblems(problems) : null;
  let url: string | null = null;
  if (!why) {
    try {
      const page = await startHubConsole({ config, log: log.child('console'), clock: d.clock, parts, status, configFile: d.configFile, restart: d.restart });
      d.stops.push('console', () => page.close());
      url = page.url;
    } catch (err) {
      why = `${config.local.pageBind}:${config.local.pagePort}: ${(err as Error).message}`;
    }
  }
  if (why) {
    log.warn({ err: why }, 'console not started');
    report(`Technician console not started: ${why}`, '');
  } else {
    report(null, 'Technician console started');
  }
  return url;
}
