import { spawnSync } from 'node:child_process';

/** Run the real CLI (bin/carehub.js from the sources) and capture its output and exit code. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/carehub.js', ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, CAREHUB_FROM_SOURCE: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
