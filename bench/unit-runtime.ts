/**
 * The node flags and environment production runs the hub with, read from the shipped unit
 * (systemd/carehub.service: the flags between `node` and the script in ExecStart=, every
 * Environment= assignment), so a benchmark child measures what production runs instead of a
 * copy of it that drifts.
 */
import { readFileSync } from 'node:fs';

export interface UnitRuntime {
  nodeFlags: string[];
  env: Record<string, string>;
}

/** Splits a systemd value into words: whitespace-separated, double or single quotes group. */
function words(value: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

export function parseUnitRuntime(unit: string): UnitRuntime {
  const nodeFlags: string[] = [];
  const env: Record<string, string> = {};
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('ExecStart=')) {
      const argv = words(line.slice('ExecStart='.length));
      for (const a of argv.slice(1)) {
        if (!a.startsWith('--')) break; // the script: node's own flags end here
        nodeFlags.push(a);
      }
    } else if (line.startsWith('Environment=')) {
      for (const w of words(line.slice('Environment='.length))) {
        const eq = w.indexOf('=');
        if (eq > 0) env[w.slice(0, eq)] = w.slice(eq + 1);
      }
    }
  }
  return { nodeFlags, env };
}

export function unitRuntime(): UnitRuntime {
  return parseUnitRuntime(readFileSync(new URL('../systemd/carehub.service', import.meta.url), 'utf8'));
}
