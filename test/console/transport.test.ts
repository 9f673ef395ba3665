import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { consolePasswordCommand } from '../../src/cli/console-password.js';
import { MAX_EVENT_CLIENTS } from '../../src/console/events.js';
import { passwordFilePath, readPasswordFile, roleOf } from '../../src/console/password-file.js';
import { certificatePaths, consoleFingerprint } from '../../src/console/tls.js';
import { startConsoleHub, type ConsoleHub } from './console-hub.js';
import { http } from './http-client.js';

/** Page weight budget of the overview: every asset it loads, as sent (gzipped where the browser accepts it). */
const PAGE_WEIGHT_MAX_BYTES = 250 * 1024;

let h: ConsoleHub | undefined;
afterEach(async () => { await h?.stop(); h = undefined; });

describe('console transport', () => {
  it('off loopback the console speaks HTTPS with a self-signed hub certificate created on first start (key 0600)', async () => {
    h = await startConsoleHub({ local: { pageBind: '0.0.0.0' } });
    expect(h.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+\/$/);
    const paths = certificatePaths(join(h.dir, 'carehub.db'));
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    const want = new X509Certificate(readFileSync(paths.cert)).fingerprint256;
    const port = new URL(h.url).port;
    const { status, fingerprint } = await new Promise<{ status: number; fingerprint: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/login', rejectUnauthorized: false }, (res) => {
        const fp = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint: fp }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(fingerprint).toBe(want);
    expect(consoleFingerprint(join(h.dir, 'carehub.db'))).toBe(want);
  }, 30_000);

  it('a console without login off loopback is refused: not started, local_page_unavailable raised', async () => {
    h = await startConsoleHub({ login: false, local: { pageBind: '0.0.0.0' } });
    expect(h.url).toBe('');
    const a = h.hub.alarms.active().find((x) => x.condition === 'local_page_unavailable');
    expect(a?.text).toMatch(/consoleLogin/);
  }, 30_000);

  it(`the demo console (no login, loopback) allows ${MAX_EVENT_CLIENTS} live views and answers 503 beyond`, async () => {
    h = await startConsoleHub({ login: false });
    const page = await http(h.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('no login');
    const streams: Array<() => void> = [];
    try {
      for (let i = 0; i < MAX_EVENT_CLIENTS; i++) {
        const ac = new AbortController();
        const r = await fetch(`${h.url}api/events`, { signal: ac.signal });
        expect(r.status).toBe(200);
        streams.push(() => ac.abort());
      }
      const over = await http(`${h.url}api/events`);
      expect(over.status).toBe(503);
    } finally {
      for (const s of streams) s();
    }
  }, 30_000);

  it('the overview with all its assets weighs at most 250 kB gzipped', async () => {
    h = await startConsoleHub({ login: false });
    const page = await http(h.url, { headers: { 'accept-encoding': 'gzip' } });
    const assets = [...page.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    let total = page.bytes;
    for (const a of assets) {
      const r = await http(`${h.url}${a.slice(1)}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBe('gzip');
      total += r.bytes;
    }
    const device = await http(`${h.url}device/oxi-1`);
    const uplot = await http(`${h.url}assets/uplot.js`, { headers: { 'accept-encoding': 'gzip' } });
    console.log(`console page weight: overview ${(total / 1024).toFixed(1)} kB gzipped (${assets.length} assets); device page adds uPlot ${(uplot.bytes / 1024).toFixed(1)} kB gzipped`);
    expect(device.status).toBe(200);
    expect(total).toBeLessThanOrEqual(PAGE_WEIGHT_MAX_BYTES);
  }, 30_000);

  it('assets are only the known files (no path from the URL reaches the file system)', async () => {
    h = await startConsoleHub({ login: false });
    expect((await http(`${h.url}assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await http(`${h.url}assets/../../package.json`)).status).not.toBe(200);
    const js = await http(`${h.url}assets/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(js.raw).toString('utf8')).toContain('carehub console');
  }, 30_000);
});

describe('carehub console-password', () => {
  const run = async (dir: string, args: { role?: string }, line: string): Promise<{ code: number; err: string }> => {
    const cfg = join(dir, 'carehub.yaml');
    writeFileSync(cfg, `hub: { id: h1 }\nstorage: { path: ${join(dir, 'carehub.db')} }\nuplink: { mqtt: { url: "mqtt://127.0.0.1:1883" } }\n`);
    let err = '';
    const sink = new Writable({ write: (c, _e, cb) => { err += String(c); cb(); } });
    const code = await consolePasswordCommand({ config: cfg, ...args }, Readable.from([`${line}\n`]), new Writable({ write: (_c, _e, cb) => cb() }), sink);
    return { code, err };
  };

  it('stores a scrypt hash (never the password) in the state directory, mode 0600; a short one is refused', async () => {
    h = await startConsoleHub({ login: false });
    const dir = h.dir;
    expect((await run(dir, {}, 'short')).code).toBe(2);
    const ok = await run(dir, { role: 'viewer' }, 'a-long-enough-secret');
    expect(ok.code).toBe(0);
    const file = passwordFilePath(join(dir, 'carehub.db'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('a-long-enough-secret');
    const hashes = readPasswordFile(file);
    expect(hashes.viewer).toMatch(/^scrypt\$/);
    expect(await roleOf(hashes, 'a-long-enough-secret')).toBe('viewer');
    expect(await roleOf(hashes, 'another-secret')).toBeNull();
    expect((await run(dir, { role: 'admin' }, 'a-long-enough-secret')).code).toBe(2);
  }, 30_000);
});
