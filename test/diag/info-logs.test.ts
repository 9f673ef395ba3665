import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Field names that would carry a measurement, a limit or a patient reference. */
const RISKY_KEY = /^(value|values|limit|lowLimit|highLimit|spo2|glucose|pulse|pulse_rate|reading|readings|payload|patient|subject|samples?)$/i;
/** A number with a clinical unit in free text (e.g. "SpO2 85 %", "3.1 mmol/L"). */
const VALUE_WITH_UNIT = /\b\d+(?:\.\d+)?\s?(?:%|\/min|mg\/dL|mmol\/L|cmH2O|mbar|L\/min|bpm)(?![\w/])/;

function risky(x: unknown, path = ''): string[] {
  if (Array.isArray(x)) return x.flatMap((y, i) => risky(y, `${path}[${i}]`));
  if (x && typeof x === 'object') {
    return Object.entries(x).flatMap(([k, y]) => [...(RISKY_KEY.test(k) ? [`${path}.${k}`] : []), ...risky(y, `${path}.${k}`)]);
  }
  if (typeof x === 'string' && (VALUE_WITH_UNIT.test(x) || /Patient\//.test(x))) return [`${path}: ${x}`];
  return [];
}

describe('logs carry no measurement values or patient references', () => {
  it('the demo at log level info: readings and alarms flow, the log shows none of them', async () => {
    const p = spawn(process.execPath, ['bin/carehub.js', 'demo', '--duration', '20', '--json'], {
      env: { ...process.env, CAREHUB_FROM_SOURCE: '1', CAREHUB_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    expect(code, err.slice(-2000)).toBe(0);

    const readings = out.split('\n').filter((l) => l.includes('"type":"reading"')).map((l) => JSON.parse(l) as { value: number; unit: string });
    expect(readings.length).toBeGreaterThan(50); // the simulators really produced values
    const alarms = out.split('\n').filter((l) => l.includes('"type":"alarm"'));
    expect(alarms.length, 'the desaturation/hypo scenarios raise alarms within 20 s').toBeGreaterThan(0);
    const lines = err.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const line of lines) {
      let o: Record<string, unknown>;
      try { o = JSON.parse(line) as Record<string, unknown>; } catch { problems.push(`not a JSON log line: ${line}`); continue; }
      for (const r of risky(o)) problems.push(`${String(o.msg)} → ${r}`);
    }
    expect(problems).toEqual([]);
    // the alarm engine's events were logged too (at least the start-up signal), without values
    expect(lines.some((l) => l.includes('"ns":"alarms'))).toBe(true);
  }, 60_000);
});
