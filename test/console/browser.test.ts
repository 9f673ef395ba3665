import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, HAS_CHROMIUM, WIDTHS, axeSerious, launchChromium } from './browser-kit.js';
import { ALL_DEVICES, raiseProbeOff, startConsoleHub, TECH_PASSWORD, type ConsoleHub } from './console-hub.js';
import { http, login } from './http-client.js';

/** The console in a real browser (browser-kit.ts: Debian's chromium through playwright-core). */
describe.runIf(HAS_CHROMIUM)('console in chromium', () => {
  let h: ConsoleHub;
  let browser: Browser;

  beforeAll(async () => {
    h = await startConsoleHub({ devices: ALL_DEVICES });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  async function loggedIn(size: { width: number; height: number } = WIDTHS.tablet, locale = 'en-GB'): Promise<Page> {
    const ctx = await browser.newContext({ viewport: size, locale });
    const page = await ctx.newPage();
    await page.goto(h.url);
    await page.fill('#password', TECH_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#devices tbody tr[data-device]');
    return page;
  }

  it('a wrong password shows the error and stays on the login page', async () => {
    const ctx = await browser.newContext({ viewport: WIDTHS.phone, locale: 'en-GB' });
    const page = await ctx.newPage();
    await page.goto(h.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#password', 'wrong-password-here');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('Wrong password');
    await page.screenshot({ path: join(ARTIFACTS, 'login-failed-phone.png') });
    await ctx.close();
  }, 30_000);

  it('logs in, shows the four devices, and acknowledging an alarm changes its row', async () => {
    const page = await loggedIn();
    await expect.poll(() => page.locator('#devices tbody tr[data-device]').count()).toBe(4);
    const id = raiseProbeOff(h.hub);
    const row = page.locator(`#alarms tr[data-alarm="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toMatch(/p-(high|medium|low)/);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-tablet.png'), fullPage: true });
    await row.locator('button.ack').click();
    await expect.poll(() => row.locator('.acked').count(), { timeout: 5000 }).toBe(1);
    expect(await row.locator('button.ack').count()).toBe(0);
    expect(h.hub.alarms.active().find((a) => a.alarm === id)?.acknowledged).toBe(true);
    await page.setViewportSize(WIDTHS.phone);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-phone.png'), fullPage: true });
    await page.context().close();
  }, 30_000);

  it('a device page draws a trend chart with data points from the store', async () => {
    // the store has SpO2 readings of oxi-1 (they arrive about once a second from the start)
    const { cookie } = await login(h.url, TECH_PASSWORD);
    await expect.poll(async () => {
      const r = await http(`${h.url}api/devices/oxi-1/trend?range=1h`, { headers: { cookie: cookie! } });
      return r.status === 200 && (JSON.parse(r.body) as { metrics: Record<string, unknown> }).metrics['spo2'] !== undefined;
    }, { timeout: 20_000, interval: 500 }).toBe(true);
    const page = await loggedIn();
    await page.click('a[href="/device/oxi-1"]');
    await page.waitForURL(/\/device\/oxi-1$/);
    const chart = page.locator('figure.chart[data-metric="spo2"]');
    await chart.waitFor({ timeout: 20_000 });
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'device-tablet.png'), fullPage: true });
    await page.setViewportSize(WIDTHS.phone);
    await page.screenshot({ path: join(ARTIFACTS, 'device-phone.png'), fullPage: true });
    // a device that forwards its waveform: the pleth is drawn live
    await page.goto(`${h.url}device/oxi-2`);
    const wave = page.locator('figure.wave[data-metric="pleth"]');
    await wave.waitFor({ timeout: 20_000 });
    expect(Number(await wave.getAttribute('data-points'))).toBeGreaterThan(25);
    expect(await wave.locator('canvas').count()).toBeGreaterThan(0);
    await page.setViewportSize(WIDTHS.tablet);
    await page.screenshot({ path: join(ARTIFACTS, 'waveform-tablet.png'), fullPage: true });
    await page.context().close();
  }, 60_000);

  it('a setting with a schema error shows the message with its line; the alarm history lists an alarm', async () => {
    const page = await loggedIn();
    await page.click('a[href="/config"]');
    await page.waitForURL(/\/config$/);
    const text = await page.inputValue('#cfg');
    await page.fill('#cfg', text.replace('reconnectMinMs: 1000', 'reconnectMinMs: 5'));
    await page.click('#apply');
    const problem = page.locator('#problems li.problem').first();
    await problem.waitFor({ timeout: 5000 });
    expect(await problem.textContent()).toMatch(/^uplink\.mqtt\.reconnectMinMs \(line \d+\): /);
    expect(await page.locator('#diff .add').count()).toBe(1);
    expect(await page.locator('#applied').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'config-error-tablet.png'), fullPage: true });
    raiseProbeOff(h.hub);
    await page.click('a[href="/alarms/history"]');
    await page.selectOption('select[name=category]', 'technical');
    await page.click('#filter button[type=submit]');
    await expect.poll(() => page.locator('#history tbody tr[data-event]').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await page.setViewportSize(WIDTHS.phone);
    await page.screenshot({ path: join(ARTIFACTS, 'history-phone.png'), fullPage: true });
    await page.context().close();
  }, 30_000);

  it('switches to Danish and stays Danish', async () => {
    const page = await loggedIn();
    await page.click('a[hreflang="da"]');
    await expect.poll(() => page.locator('#alarms-h').textContent()).toBe('Alarmer');
    expect(await page.getAttribute('html', 'lang')).toBe('da');
    await page.goto(h.url);
    expect(await page.locator('#devices-h').textContent()).toBe('Apparater');
    await page.screenshot({ path: join(ARTIFACTS, 'overview-da-tablet.png'), fullPage: true });
    await page.context().close();
  }, 30_000);

  it('a Danish browser gets Danish without choosing', async () => {
    const ctx = await browser.newContext({ locale: 'da-DK' });
    const page = await ctx.newPage();
    await page.goto(`${h.url}login`);
    expect(await page.locator('h2').textContent()).toBe('Log ind');
    await ctx.close();
  }, 30_000);

  it('axe-core finds no serious or critical accessibility violations on the overview, a device page, configuration, alarm history and diagnostics', async () => {
    const page = await loggedIn();
    const found: string[] = [];
    for (const path of ['/', '/device/cgm-1', '/config', '/alarms/history', '/diagnostics']) {
      await page.goto(new URL(path, h.url).href);
      await page.waitForSelector(path === '/' || path.startsWith('/device/') ? '#conn.ok' : 'main h2');
      for (const v of await axeSerious(page)) found.push(`${path}: ${v}`);
    }
    expect(found).toEqual([]);
    await page.context().close();
  }, 40_000);
});
