import { loadConfigFile } from '../config/load.js';
import { EXIT_OK, EXIT_USAGE } from './exit.js';

/** `carehub check-config FILE`: every problem with its path; exit 2 on any problem. */
export function checkConfigCommand(file: string, opts: { json?: boolean }, out: NodeJS.WritableStream = process.stdout): number {
  const r = loadConfigFile(file);
  if (opts.json) {
    out.write(`${JSON.stringify(r.ok ? { ok: true, devices: r.config.devices.length, warnings: r.warnings } : { ok: false, problems: r.problems })}\n`);
    return r.ok ? EXIT_OK : EXIT_USAGE;
  }
  if (!r.ok) {
    out.write(`${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}\n`);
    for (const p of r.problems) out.write(`  ${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}\n`);
    return EXIT_USAGE;
  }
  for (const w of r.warnings) out.write(`warning: ${w}\n`);
  const c = r.config;
  out.write(`${file}: valid. hub ${c.hub.id}, ${c.devices.length} device(s), uplink ${redactUrl(c.uplink.mqtt.url)}, alarms ${c.alarms ? 'from this file' : 'shipped defaults'}\n`);
  return EXIT_OK;
}

function redactUrl(u: string): string {
  return u.replace(/\/\/[^@/]*@/, '//***@');
}
