import { spawn, spawnSync } from 'node:child_process';

/** Run the real CLI (bin/carehub.js from the sources) and capture its output and exit code. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/carehub.js', ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, CAREHUB_FROM_SOURCE: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like runCli, without blocking this process's event loop (needed when the hub runs in-process). */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/carehub.js', ...args], { env: { ...process.env, CAREHUB_FROM_SOURCE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
