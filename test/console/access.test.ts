import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleAudit } from '../../src/console/audit.js';
import { LOGIN_FAILURES_PER_CLIENT } from '../../src/console/login-limit.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { startConsoleHub, raiseProbeOff, TECH_PASSWORD, VIEWER_PASSWORD, type ConsoleHub } from './console-hub.js';
import { csrfOf, http, login, postJson } from './http-client.js';

describe('console access over HTTP', () => {
  let h: ConsoleHub;
  beforeAll(async () => { h = await startConsoleHub(); }, 30_000);
  afterAll(async () => { await h?.stop(); });

  const audit = (): ConsoleAudit => new ConsoleAudit(h.hub.store, new SystemClock());

  it('listens on loopback and sends a visitor without a session to the login page', async () => {
    expect(h.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await http(h.url);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login');
    expect((await http(`${h.url}api/status`)).status).toBe(401);
    expect((await http(`${h.url}api/events`)).status).toBe(401);
    const form = await http(`${h.url}login`);
    expect(form.status).toBe(200);
    expect(form.body).toContain('type="password"');
  });

  it('a wrong password is refused and audited; the right one gives an HttpOnly SameSite=Strict session', async () => {
    const bad = await login(h.url, 'not-the-password', { 'x-forwarded-for': 'ignored' });
    expect(bad.answer.status).toBe(401);
    expect(bad.cookie).toBeNull();
    expect(bad.answer.body).toContain('Wrong password');
    expect(audit().recent(5).some((e) => e.action === 'login' && !e.ok)).toBe(true);

    const good = await login(h.url, TECH_PASSWORD);
    expect(good.answer.status).toBe(303);
    const set = ([] as string[]).concat(good.answer.headers['set-cookie'] ?? []).join(';');
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    const status = await http(`${h.url}api/status`, { headers: { cookie: good.cookie! } });
    expect(status.status).toBe(200);
    expect((JSON.parse(status.body) as { hub: string }).hub).toBe('hub-console');
  });

  it('a state change needs the session CSRF token and our own origin; with both the alarm is acknowledged and audited', async () => {
    const { cookie } = await login(h.url, TECH_PASSWORD);
    const id = raiseProbeOff(h.hub);
    const url = `${h.url}api/alarms/ack`;
    expect((await postJson(url, cookie!, { id })).status).toBe(403);
    expect((await postJson(url, cookie!, { id }, { 'x-csrf-token': 'forged-token-of-the-right-length-xx' })).status).toBe(403);
    const csrf = await csrfOf(h.url, cookie!);
    expect((await postJson(url, cookie!, { id }, { 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect(h.hub.alarms.active().find((a) => a.alarm === id)?.acknowledged).toBe(false);

    const ok = await postJson(url, cookie!, { id }, { 'x-csrf-token': csrf, origin: h.url.slice(0, -1) });
    expect(ok.status).toBe(200);
    expect(h.hub.alarms.active().find((a) => a.alarm === id)?.acknowledged).toBe(true);
    const entry = audit().recent(10).find((e) => e.action === 'alarms.ack');
    expect(entry).toMatchObject({ ok: true, role: 'technician', detail: { id } });
  });

  it('the read-only role sees everything and changes nothing', async () => {
    const { cookie } = await login(h.url, VIEWER_PASSWORD);
    expect((await http(`${h.url}api/status`, { headers: { cookie: cookie! } })).status).toBe(200);
    const page = await http(h.url, { headers: { cookie: cookie! } });
    expect(page.body).not.toContain('id="test"');
    const csrf = await csrfOf(h.url, cookie!);
    const before = h.hub.alarms.pausedForS();
    const r = await postJson(`${h.url}api/alarms/pause`, cookie!, {}, { 'x-csrf-token': csrf });
    expect(r.status).toBe(403);
    expect(h.hub.alarms.pausedForS()).toBe(before);
    expect((await http(`${h.url}api/audit`, { headers: { cookie: cookie! } })).status).toBe(403);
  });

  it('a loopback console refuses requests for another host name (DNS rebinding)', async () => {
    const r = await http(`${h.url}login`, { headers: { host: 'attacker.example:80' } });
    expect(r.status).toBe(421);
  });

  it('a request body over 8 KB is refused', async () => {
    const { cookie } = await login(h.url, TECH_PASSWORD);
    const csrf = await csrfOf(h.url, cookie!);
    const r = await postJson(`${h.url}api/alarms/pause`, cookie!, { pad: 'x'.repeat(9000) }, { 'x-csrf-token': csrf });
    expect(r.status).toBe(413);
  });

  it('trend ranges are 1h, 24h or 7d of a known device', async () => {
    const { cookie } = await login(h.url, TECH_PASSWORD);
    expect((await http(`${h.url}api/devices/oxi-1/trend?range=30d`, { headers: { cookie: cookie! } })).status).toBe(400);
    expect((await http(`${h.url}api/devices/nope/trend?range=1h`, { headers: { cookie: cookie! } })).status).toBe(404);
    const r = await http(`${h.url}api/devices/oxi-1/trend?range=7d`, { headers: { cookie: cookie! } });
    expect(r.status).toBe(200);
  });

  it('live waveforms: only after login, only of a known device; a device that forwards none has none', async () => {
    expect((await http(`${h.url}api/devices/oxi-1/waveform`)).status).toBe(401);
    const { cookie } = await login(h.url, VIEWER_PASSWORD);
    expect((await http(`${h.url}api/devices/nope/waveform`, { headers: { cookie: cookie! } })).status).toBe(404);
    const r = await http(`${h.url}api/devices/oxi-1/waveform`, { headers: { cookie: cookie! } });
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { waves: object }).waves).toEqual({});
  });

  // last: it locks this client out for the rest of the window
  it(`after ${LOGIN_FAILURES_PER_CLIENT} failed logins even the right password is refused with 429`, async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT; i++) await login(h.url, `wrong-${i}-password`);
    const r = await login(h.url, TECH_PASSWORD);
    expect(r.answer.status).toBe(429);
    expect(r.cookie).toBeNull();
    expect(Number(r.answer.headers['retry-after'])).toBeGreaterThan(0);
  });
});
