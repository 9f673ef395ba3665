import { createLogger, type Logger } from '../core/log.js';
import { loadScenarioFile } from '../rig/load-scenario.js';
import { runScenario, type RigReport } from '../rig/runner.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

export interface RigCommandOptions {
  json?: boolean;
  keep?: boolean;
  verbose?: boolean;
}

/**
 * `carehub rig SCENARIO_FILE`: one PASS/FAIL line per expectation; exit 0 only if all pass,
 * 1 if any fails (or the rig could not run), 2 on an invalid scenario file.
 */
export async function rigCommand(file: string, o: RigCommandOptions, out: NodeJS.WritableStream = process.stdout, logger?: Logger): Promise<number> {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) {
    if (o.json) out.write(`${JSON.stringify({ ok: false, problems: loaded.problems })}\n`);
    else {
      out.write(`${file}: ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}\n`);
      for (const p of loaded.problems) out.write(`  ${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}\n`);
    }
    return EXIT_USAGE;
  }
  const s = loaded.scenario;
  const log = logger ?? createLogger({ level: o.verbose ? 'info' : 'warn' });
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (!o.json) out.write(`rig ${s.name}: ${s.devices.length} device(s), ${s.timeline.length} timeline step(s), ${s.expect.length} expectation(s), ${s.duration} s\n`);
  let report: RigReport;
  try {
    report = await runScenario(s, { log, keep: o.keep ? 'always' : 'on-failure', signal: ac.signal });
  } catch (err) {
    const msg = (err as Error).message;
    if (o.json) out.write(`${JSON.stringify({ ok: false, name: s.name, error: msg })}\n`);
    else out.write(`FAIL rig could not run: ${msg}\n`);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (o.json) {
    out.write(`${JSON.stringify(report)}\n`);
  } else {
    for (const r of report.results) out.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.label}: ${r.detail}\n`);
    const passed = report.results.filter((r) => r.ok).length;
    const st = report.stats;
    out.write(`${report.ok ? 'PASS' : 'FAIL'} ${s.name}: ${passed}/${report.results.length} passed (broker ${st.broker}, hub started ${st.hubStarts}×, ${st.stored} readings stored, ${st.distinctIds} ids delivered, ${st.readingsReceived - st.distinctIds} redeliver${st.readingsReceived - st.distinctIds === 1 ? 'y' : 'ies'}, ${st.alarmEvents} alarm events${st.unsentAtStop ? `, ${st.unsentAtStop} unsent at the final stop and delivered by a drain-only start` : ''}, ${st.durationS} s)\n`);
    if (report.workDir) out.write(`run directory kept: ${report.workDir} (hub log ${report.hubLog})\n`);
  }
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}
