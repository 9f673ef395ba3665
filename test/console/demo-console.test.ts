import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { http } from './http-client.js';

it('carehub demo prints "console: URL" on a line of its own; that console on loopback answers without login and shows the simulated devices', async () => {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'carehub.js'), 'demo', '--duration', '8'], {
    env: { ...process.env, CAREHUB_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const end = Date.now() + 20_000;
    let url: string | undefined;
    while (!url && Date.now() < end) {
      url = /^console: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 200));
    }
    expect(url, out).toBeDefined();
    expect(out).toMatch(/no login/);
    const status = await http(`${url!}api/status`);
    expect(status.status).toBe(200);
    const ids = (JSON.parse(status.body) as { devices: Array<{ id: string }> }).devices.map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['oxi-1', 'oxi-2', 'cgm-1', 'vent-1']));
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}, 40_000);
