import { loadConfigFile, type ConfigProblem } from '../config/load.js';
import { preflight } from '../config/preflight.js';
import { EXIT_OK, EXIT_USAGE } from './exit.js';

/**
 * `carehub check-config FILE`: everything `run` would refuse or run without, each problem with its
 * path; exit 2 on any problem. Besides the schema: cron syntax, time zone, TLS and credential files
 * readable (as the user running the check: run it as the service user), the plain-TCP policy,
 * the control socket and store folders, addresses. Warnings do not change the exit code.
 */
export function checkConfigCommand(file: string, opts: { json?: boolean }, out: NodeJS.WritableStream = process.stdout): number {
  const r = loadConfigFile(file);
  let problems: ConfigProblem[];
  let warnings: string[];
  if (r.ok) {
    const checks = preflight(r.config);
    problems = checks.problems.map(({ path, message }) => ({ path, message }));
    warnings = [...r.warnings, ...checks.warnings];
  } else {
    problems = r.problems;
    warnings = [];
  }
  const ok = problems.length === 0;
  if (opts.json) {
    out.write(`${JSON.stringify(ok && r.ok ? { ok: true, devices: r.config.devices.length, warnings } : { ok: false, problems, warnings })}\n`);
    return ok ? EXIT_OK : EXIT_USAGE;
  }
  for (const w of warnings) out.write(`warning: ${w}\n`);
  if (!ok || !r.ok) {
    out.write(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    for (const p of problems) out.write(`  ${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}\n`);
    return EXIT_USAGE;
  }
  const c = r.config;
  out.write(`${file}: valid. hub ${c.hub.id}, ${c.devices.length} device(s), uplink ${redactUrl(c.uplink.mqtt.url)}, alarms ${c.alarms ? 'from this file' : 'shipped defaults'}\n`);
  return EXIT_OK;
}

function redactUrl(u: string): string {
  return u.replace(/\/\/[^@/]*@/, '//***@');
}
