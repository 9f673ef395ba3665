import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleAudit } from '../../src/console/audit.js';
import { HISTORY_PAGE_MAX } from '../../src/console/alarm-history.js';
import { CONFIG_BODY_MAX_BYTES } from '../../src/console/tech-routes.js';
import { MAX_CONFIG_BYTES } from '../../src/config/load.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { raiseProbeOff, startConsoleHub, TECH_PASSWORD, VIEWER_PASSWORD, type ConsoleHub } from './console-hub.js';
import { csrfOf, http, login, postJson } from './http-client.js';

describe('console configuration, alarm history and diagnostics over HTTP', () => {
  let h: ConsoleHub;
  let tech: string;
  let csrf: string;
  let origin: string;
  beforeAll(async () => {
    h = await startConsoleHub();
    tech = (await login(h.url, TECH_PASSWORD)).cookie!;
    csrf = await csrfOf(h.url, tech);
    origin = h.url.slice(0, -1);
  }, 30_000);
  afterAll(async () => { await h?.stop(); });
  const audit = (): ConsoleAudit => new ConsoleAudit(h.hub.store, new SystemClock());
  const get = (path: string, cookie = tech) => http(`${h.url}${path}`, { headers: { cookie } });
  const post = (path: string, body: unknown, cookie = tech, token = csrf) => postJson(`${h.url}${path}`, cookie, body, { 'x-csrf-token': token, origin });

  it('shows the config file in a textarea with passwords in URLs redacted', async () => {
    const original = readFileSync(h.configFile, 'utf8');
    writeFileSync(h.configFile, original.replace('mqtt://127.0.0.1:1', 'mqtt://hubuser:s3cret-pw@127.0.0.1:1'));
    try {
      const page = await get('config');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<textarea id="cfg"');
      expect(page.body).toContain('mqtt://hubuser:***@127.0.0.1:1');
      expect(page.body).not.toContain('s3cret-pw');
      // validating the redacted text is the same as the file: the password is put back, not lost
      const text = /<textarea id="cfg"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)![1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
      const r = JSON.parse((await post('api/config/check', { text })).body) as { ok: boolean; diff: unknown[] };
      expect(r.ok).toBe(true);
      expect(r.diff).toEqual([]);
    } finally {
      writeFileSync(h.configFile, original);
    }
  });

  it('validates like check-config: every problem with its path and line, and a diff', async () => {
    const original = readFileSync(h.configFile, 'utf8');
    const bad = original.replace('reconnectMinMs: 1000', 'reconnectMinMs: 5').replace('maxBytes: 64MB', 'maxBytes: lots');
    expect(bad).not.toBe(original);
    const r = await post('api/config/check', { text: bad });
    expect(r.status).toBe(200);
    const out = JSON.parse(r.body) as { ok: boolean; problems: Array<{ path: string; line?: number }>; diff: Array<{ op: string; text: string }> };
    expect(out.ok).toBe(false);
    const lineOf = (needle: string): number => bad.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(out.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'uplink.mqtt.reconnectMinMs', line: lineOf('reconnectMinMs: 5') }),
      expect.objectContaining({ path: 'storage.maxBytes', line: lineOf('maxBytes: lots') }),
    ]));
    expect(out.diff.filter((d) => d.op === '+').map((d) => d.text.trim())).toEqual(expect.arrayContaining(['reconnectMinMs: 5', 'maxBytes: lots']));
    // a preflight problem (cron syntax) is found too, with its line
    const cron = `${original}schedule:\n  housekeeping: "not a cron"\n`;
    const c = JSON.parse((await post('api/config/check', { text: cron })).body) as { problems: Array<{ path: string; line?: number }> };
    expect(c.problems).toEqual([expect.objectContaining({ path: 'schedule.housekeeping', line: cron.split('\n').length - 1 })]);
  });

  it('refuses to apply a text with problems, or over a file changed meanwhile; applies a valid one atomically keeping the mode, audited', async () => {
    const original = readFileSync(h.configFile, 'utf8');
    const page = await get('config');
    const base = /"base":"([0-9a-f]{64})"/.exec(page.body)![1]!;
    const bad = await post('api/config/apply', { text: original.replace('reconnectMinMs: 1000', 'reconnectMinMs: 5'), base });
    expect(bad.status).toBe(422);
    expect(readFileSync(h.configFile, 'utf8')).toBe(original);
    const stale = await post('api/config/apply', { text: original, base: '0'.repeat(64) });
    expect(stale.status).toBe(409);

    const next = original.replace('reconnectMinMs: 1000', 'reconnectMinMs: 2000');
    const ok = await post('api/config/apply', { text: next, base });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, changedLines: 2, restart: 'restart carehub to apply' });
    expect(readFileSync(h.configFile, 'utf8')).toBe(next);
    expect(statSync(h.configFile).mode & 0o777).toBe(0o640);
    expect(audit().recent(5).find((e) => e.action === 'config.apply' && e.ok)).toMatchObject({ role: 'technician', detail: { changedLines: 2 } });
    expect(audit().recent(10).some((e) => e.action === 'config.apply' && !e.ok)).toBe(true);
    // the same base again is stale now
    expect((await post('api/config/apply', { text: original, base })).status).toBe(409);
  });

  it('a configuration over 1 MiB is a problem; a body over CONFIG_BODY_MAX_BYTES is refused with 413', async () => {
    const big = await post('api/config/check', { text: `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n` });
    expect(big.status).toBe(200);
    expect((JSON.parse(big.body) as { problems: Array<{ message: string }> }).problems[0]!.message).toMatch(/at most 1048576 bytes/);
    const huge = await post('api/config/check', { text: 'x'.repeat(CONFIG_BODY_MAX_BYTES) });
    expect(huge.status).toBe(413);
  });

  it('configuration and diagnostics are for technicians only; a change needs the CSRF token', async () => {
    const viewer = (await login(h.url, VIEWER_PASSWORD)).cookie!;
    const vcsrf = await csrfOf(h.url, viewer);
    expect((await get('config', viewer)).status).toBe(403);
    expect((await get('diagnostics', viewer)).status).toBe(403);
    expect((await get('api/diagnostics/bundle', viewer)).status).toBe(403);
    expect((await post('api/config/apply', { text: 'x', base: 'y' }, viewer, vcsrf)).status).toBe(403);
    expect((await post('api/diagnostics/selftest', {}, viewer, vcsrf)).status).toBe(403);
    expect((await post('api/config/check', { text: 'hub: {}' }, tech, 'forged-token-of-the-right-length-xx')).status).toBe(403);
    expect((await get('alarms/history', viewer)).status).toBe(200);
    expect(/href="\/config"/.test((await get('', viewer)).body)).toBe(false);
  });

  it('alarm history filters by priority, category, device and time, in bounded pages', async () => {
    raiseProbeOff(h.hub);
    const all = JSON.parse((await get('api/alarms/history')).body) as { events: Array<{ condition: string; category: string; priority: string; device: string | null; t: string }>; total: number };
    expect(all.events.some((e) => e.condition === 'sensor_off_finger')).toBe(true);
    const tech1 = JSON.parse((await get('api/alarms/history?category=technical&device=oxi-1')).body) as typeof all;
    expect(tech1.events.length).toBeGreaterThan(0);
    expect(tech1.events.every((e) => e.category === 'technical' && e.device === 'oxi-1')).toBe(true);
    const p = tech1.events.find((e) => e.condition === 'sensor_off_finger')!.priority;
    const byPrio = JSON.parse((await get(`api/alarms/history?priority=${p}`)).body) as typeof all;
    expect(byPrio.events.every((e) => e.priority === p)).toBe(true);
    const future = JSON.parse((await get(`api/alarms/history?from=${new Date(Date.now() + 3_600_000).toISOString()}`)).body) as typeof all;
    expect(future.total).toBe(0);
    const one = JSON.parse((await get('api/alarms/history?size=1')).body) as typeof all;
    expect(one.events).toHaveLength(1);
    expect((await get(`api/alarms/history?size=${HISTORY_PAGE_MAX + 1}`)).status).toBe(400);
    expect((await get('api/alarms/history?priority=urgent')).status).toBe(400);
    expect((await get('api/alarms/history?from=2026-02-01T00:00Z&to=2026-01-01T00:00Z')).status).toBe(400);
  });

  it('the self-test sounds the annunciators and reports broker, BLE and serial ports; the bundle downloads', async () => {
    const r = await post('api/diagnostics/selftest', {});
    expect(r.status).toBe(200);
    const checks = (JSON.parse(r.body) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
    expect(checks.map((c) => c.name)).toEqual(['annunciators', 'broker', 'ble', 'serial']);
    expect(checks.find((c) => c.name === 'broker')).toMatchObject({ ok: false }); // the test hub's broker port 1 is closed
    expect(audit().recent(5).find((e) => e.action === 'diagnostics.selftest')).toMatchObject({ ok: true, detail: { failed: expect.arrayContaining(['broker']) } });
    const b = await get('api/diagnostics/bundle');
    expect(b.status).toBe(200);
    expect(String(b.headers['content-disposition'])).toMatch(/attachment; filename="carehub-diag-hub-console-/);
    const tar = gunzipSync(b.raw).toString('latin1');
    expect(tar).toContain('carehub-diag/config.json');
    expect(tar).toContain('carehub-diag/serial-ports.json');
  }, 20_000);
});
